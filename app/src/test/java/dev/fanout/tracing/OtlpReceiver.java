package dev.fanout.tracing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A tiny OTLP/HTTP trace receiver for tests: a real Vert.x server on 127.0.0.1 that takes what the SDK's OTLP
 * exporter posts to {@code /v1/traces} (protobuf, uncompressed: set {@code OTEL_EXPORTER_OTLP_COMPRESSION=none}),
 * keeps every span, and answers 200 with an empty {@code ExportTraceServiceResponse}. Spans may be read from
 * any thread.
 */
public final class OtlpReceiver implements AutoCloseable {

  /** A span as exported; ids in lowercase hex, the parent's empty for a root span. */
  public record Received(String traceId, String spanId, String parentSpanId, String name, String kind,
                         Map<String, Object> attributes, List<Event> events, String status, String statusMessage,
                         List<Link> links) {

    public Object attribute(String key) {
      return attributes.get(key);
    }
  }

  /** A span event with its attributes. */
  public record Event(String name, Map<String, Object> attributes) {
  }

  /** A link to another span. */
  public record Link(String traceId, String spanId) {
  }

  private final HttpServer server;
  private final List<Received> spans = new CopyOnWriteArrayList<>();

  private OtlpReceiver(Vertx vertx) throws Exception {
    this.server = vertx.createHttpServer().requestHandler(request -> {
      if (!request.path().equals("/v1/traces")) {
        request.response().setStatusCode(404).end();
        return;
      }
      request.body().onSuccess(body -> {
        try {
          keep(ExportTraceServiceRequest.parseFrom(body.getBytes()));
          request.response().putHeader("content-type", "application/x-protobuf")
              .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
        } catch (Exception e) {
          request.response().setStatusCode(400).end();
        }
      });
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A receiver listening on a free port of 127.0.0.1. */
  public static OtlpReceiver start(Vertx vertx) throws Exception {
    return new OtlpReceiver(vertx);
  }

  /** The OTLP endpoint to give {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /**
   * Tracing that exports here at once (batches every 100 ms, uncompressed), as the app would with these
   * variables set.
   */
  public Tracing tracing() {
    return Tracing.from(Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
        "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint(), "OTEL_EXPORTER_OTLP_COMPRESSION", "none",
        "OTEL_BSP_SCHEDULE_DELAY", "100"), Map.of());
  }

  /** Every span received so far. */
  public List<Received> spans() {
    return List.copyOf(spans);
  }

  /** The spans received so far that match. */
  public List<Received> spans(Predicate<Received> filter) {
    return spans.stream().filter(filter).toList();
  }

  private void keep(ExportTraceServiceRequest request) {
    for (ResourceSpans resource : request.getResourceSpansList()) {
      for (ScopeSpans scope : resource.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span span : scope.getSpansList()) {
          spans.add(new Received(hex(span.getTraceId()), hex(span.getSpanId()), hex(span.getParentSpanId()),
              span.getName(), span.getKind().name().replace("SPAN_KIND_", ""), attributes(span.getAttributesList()),
              span.getEventsList().stream().map(e -> new Event(e.getName(), attributes(e.getAttributesList()))).toList(),
              span.getStatus().getCode().name().replace("STATUS_CODE_", ""), span.getStatus().getMessage(),
              span.getLinksList().stream().map(l -> new Link(hex(l.getTraceId()), hex(l.getSpanId()))).toList()));
        }
      }
    }
  }

  private static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  private static Map<String, Object> attributes(List<KeyValue> values) {
    Map<String, Object> attributes = new LinkedHashMap<>();
    for (KeyValue kv : values) {
      attributes.put(kv.getKey(), value(kv.getValue()));
    }
    return attributes;
  }

  private static Object value(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case INT_VALUE -> value.getIntValue();
      case DOUBLE_VALUE -> value.getDoubleValue();
      default -> value.toString();
    };
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
