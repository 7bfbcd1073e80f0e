package dev.fanout.tracing;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingPolicy;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What Vert.x traces on its own, with tracing on: the server spans of the API's requests, continuing an
 * incoming {@code traceparent}, and nothing else.
 *
 * <ul>
 *   <li>{@code /api/live} (a stream that stays open), static files, {@code /metrics} and {@code /health} are
 *       not traced: only paths under {@code /api/} are.</li>
 *   <li>No client span is made by Vert.x: the PostgreSQL client's per-query spans would put one batched
 *       commit of many publishes in one arbitrary trace, and the Kafka client's consumer spans would make the
 *       two backends differ. Fanout makes its own spans where it means them: a span per outbox commit linked
 *       to the publishes it carries, a span per event and group, and a client span per webhook delivery.</li>
 * </ul>
 */
final class ServerSpansOnly implements VertxTracer<Object, Object> {

  private final VertxTracer<Object, Object> delegate;

  @SuppressWarnings("unchecked")
  ServerSpansOnly(VertxTracer<?, ?> delegate) {
    this.delegate = (VertxTracer<Object, Object>) delegate;
  }

  /** Whether a request to {@code path} gets a server span. */
  static boolean traced(String path) {
    return path != null && path.startsWith("/api/") && !path.startsWith("/api/live");
  }

  @Override
  public <R> Object receiveRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
                                   Iterable<Map.Entry<String, String>> headers, TagExtractor<R> tagExtractor) {
    if (request instanceof HttpServerRequest http && traced(http.path())) {
      return delegate.receiveRequest(context, kind, policy, request, operation, headers, tagExtractor);
    }
    return null;
  }

  @Override
  public <R> void sendResponse(Context context, R response, Object payload, Throwable failure,
                               TagExtractor<R> tagExtractor) {
    if (payload != null) {
      delegate.sendResponse(context, response, payload, failure, tagExtractor);
    }
  }

  @Override
  public <R> Object sendRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
                                BiConsumer<String, String> headers, TagExtractor<R> tagExtractor) {
    return null;
  }

  @Override
  public <R> void receiveResponse(Context context, R response, Object payload, Throwable failure,
                                  TagExtractor<R> tagExtractor) {
    // no client span was started
  }

  @Override
  public void close() {
    delegate.close();
  }
}
