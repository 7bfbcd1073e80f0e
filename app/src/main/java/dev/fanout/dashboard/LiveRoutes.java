package dev.fanout.dashboard;

import dev.fanout.http.ApiErrors;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The live side of the dashboard: {@code GET /api/live} streams the {@link DashboardSampler}'s snapshots
 * as Server-Sent Events (one {@code snapshot} event at connect, then one a second; a browser's
 * EventSource reconnects by itself after 1 s), {@code GET /api/dashboard} answers the newest snapshot as
 * plain JSON, and {@code /webjars/} serves the chart library from the classpath.
 *
 * <p>A connection that cannot keep up misses snapshots instead of buffering them: each one is complete,
 * so the next one makes up for it. At most {@code maxConnections} live connections are open at once in
 * this process; one more is answered 503 {@code too_many_viewers} with {@code Retry-After}.
 *
 * <p>One instance serves the routers of every HTTP verticle: it is safe to use from any thread.
 */
public final class LiveRoutes {

  private final Supplier<String> latest;
  private final int maxConnections;
  // live connections open now, over every event loop
  private final AtomicInteger open = new AtomicInteger();

  /** @param latest the newest snapshot, encoded; see {@link DashboardSampler#latest()} */
  public LiveRoutes(Supplier<String> latest, int maxConnections) {
    this.latest = latest;
    this.maxConnections = maxConnections;
  }

  public void mount(Router router) {
    router.get("/api/dashboard").handler(ctx -> ctx.response()
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(latest.get()));
    router.get("/api/live").handler(this::live);
    router.route("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
  }

  private void live(RoutingContext ctx) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      ApiErrors.send(ctx, 503, "too_many_viewers", "more than " + maxConnections
          + " live connections are open; use GET /api/dashboard or try again later", null);
      return;
    }
    HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-store")
        .putHeader("x-accel-buffering", "no");
    response.write("retry: 1000\n\n" + event(latest.get()));
    MessageConsumer<String> consumer = ctx.vertx().eventBus().consumer(DashboardSampler.ADDRESS, message -> {
      if (!response.closed() && !response.writeQueueFull()) {
        response.write(event(message.body()));
      }
    });
    AtomicBoolean closed = new AtomicBoolean();
    Runnable close = () -> {
      if (closed.compareAndSet(false, true)) {
        open.decrementAndGet();
        consumer.unregister();
      }
    };
    response.closeHandler(v -> close.run());
    response.exceptionHandler(e -> close.run());
  }

  /** One SSE event; encoded JSON holds no raw line break, so one data line carries it. */
  private static String event(String json) {
    return "event: snapshot\ndata: " + json + "\n\n";
  }
}
