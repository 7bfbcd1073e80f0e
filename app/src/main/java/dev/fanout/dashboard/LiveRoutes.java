package dev.fanout.dashboard;

import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.function.Supplier;

/**
 * The live side of the dashboard: {@code GET /api/live} streams the {@link DashboardSampler}'s snapshots
 * as Server-Sent Events (one {@code snapshot} event at connect, then one a second; a browser's
 * EventSource reconnects by itself after 1 s), {@code GET /api/dashboard} answers the newest snapshot as
 * plain JSON, and {@code /webjars/} serves the chart library from the classpath.
 *
 * <p>A connection that cannot keep up misses snapshots instead of buffering them: each one is complete,
 * so the next one makes up for it.
 */
public final class LiveRoutes {

  private final Supplier<String> latest;

  /** @param latest the newest snapshot, encoded; see {@link DashboardSampler#latest()} */
  public LiveRoutes(Supplier<String> latest) {
    this.latest = latest;
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
    response.closeHandler(v -> consumer.unregister());
    response.exceptionHandler(e -> consumer.unregister());
  }

  /** One SSE event; encoded JSON holds no raw line break, so one data line carries it. */
  private static String event(String json) {
    return "event: snapshot\ndata: " + json + "\n\n";
  }
}
