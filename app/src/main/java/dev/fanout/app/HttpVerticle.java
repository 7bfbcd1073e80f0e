package dev.fanout.app;

import dev.fanout.dashboard.DashboardApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/** The HTTP face of Fanout: the JSON API, health checks and the dashboard's static files. */
final class HttpVerticle extends VerticleBase {

  private final FanoutOptions options;
  private final DashboardApi dashboard;
  // written once in start(), read by the deployer after the deployment succeeded
  private volatile int actualPort;

  HttpVerticle(FanoutOptions options, DashboardApi dashboard) {
    this.options = options;
    this.dashboard = dashboard;
  }

  int actualPort() {
    return actualPort;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/api/info").handler(ctx -> ctx.json(info()));
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    dashboard.mount(router);
    router.route("/*").handler(StaticHandler.create("webroot"));
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(options.port(), options.host())
        .onSuccess(server -> actualPort = server.actualPort())
        .map(HttpServer::actualPort);
  }

  private JsonObject info() {
    return new JsonObject()
        .put("version", Version.current())
        .put("backend", options.backend())
        .put("partitions", options.partitions())
        .put("topic", FanoutApp.EVENTS_TOPIC);
  }
}
