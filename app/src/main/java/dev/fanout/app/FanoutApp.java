package dev.fanout.app;

import dev.fanout.dashboard.DashboardApi;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Starts Fanout inside a Vert.x instance: opens the stream backend, creates the blog events topic and
 * deploys the HTTP verticle. Used by {@link Main} and by tests, which start it on port 0.
 */
public final class FanoutApp {

  /** The topic every blog event is written to, keyed by author. */
  public static final String EVENTS_TOPIC = "blog-events";

  private final Vertx vertx;
  private final EventStream stream;
  private final int port;
  private final String deploymentId;

  private FanoutApp(Vertx vertx, EventStream stream, int port, String deploymentId) {
    this.vertx = vertx;
    this.stream = stream;
    this.port = port;
    this.deploymentId = deploymentId;
  }

  /** Starts everything; fails, having released what it started, when any part fails. */
  public static Future<FanoutApp> start(Vertx vertx, FanoutOptions options) {
    return StreamBackends.open(vertx, options.backend(), new JsonObject())
        .compose(stream -> stream.admin().createTopic(EVENTS_TOPIC, options.partitions(), 1)
            .compose(v -> {
              HttpVerticle http = new HttpVerticle(options, new DashboardApi(stream));
              return vertx.deployVerticle(http)
                  .map(id -> new FanoutApp(vertx, stream, http.actualPort(), id));
            })
            .recover(e -> stream.close().transform(ignored -> Future.failedFuture(e))));
  }

  /** The port the HTTP server listens on. */
  public int port() {
    return port;
  }

  public EventStream stream() {
    return stream;
  }

  /** Stops taking requests, then closes the stream. */
  public Future<Void> stop() {
    return vertx.undeploy(deploymentId).compose(v -> stream.close());
  }
}
