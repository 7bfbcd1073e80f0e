package dev.fanout.app;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The HTTP face of Fanout: the JSON API, health checks and the dashboard's static files. Every API error
 * is JSON, including the router's own (404, 405, 413).
 */
final class HttpVerticle extends VerticleBase {

  /** The largest request body accepted: a 100,000-character blog in 4-byte UTF-8 fits. */
  static final long MAX_BODY_BYTES = 512 * 1024;

  private final FanoutOptions options;
  private final JsonObject info;
  private final Consumer<Router> routes;
  private final Supplier<Future<Void>> readiness;
  // shared by the instances of one deployment: set when a server listens, read after the deployment
  private final AtomicInteger actualPort;

  /**
   * One instance of the HTTP server; deploy several (they share the port, Vert.x spreads connections)
   * to use several event loops.
   */
  HttpVerticle(FanoutOptions options, JsonObject info, Consumer<Router> routes, Supplier<Future<Void>> readiness,
               AtomicInteger actualPort) {
    this.options = options;
    this.info = info;
    this.routes = routes;
    this.readiness = readiness;
    this.actualPort = actualPort;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    if (!options.corsOrigins().isEmpty()) {
      // without this handler no response carries Access-Control-Allow-Origin: browsers keep other sites out
      router.route().handler(CorsHandler.create().addOrigins(options.corsOrigins())
          .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE))
          .allowedHeaders(Set.of("Content-Type", "Authorization", "Idempotency-Key")));
    }
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.get("/api/info").handler(ctx -> ctx.json(info));
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> readiness.get()
        .onSuccess(v -> ctx.json(new JsonObject().put("status", "UP")))
        .onFailure(e -> ctx.response().setStatusCode(503).putHeader("content-type", "application/json")
            .putHeader("Retry-After", "1")
            .end(new JsonObject().put("status", "DOWN").put("reason", String.valueOf(e.getMessage())).encode())));
    routes.accept(router);
    router.route("/*").handler(StaticHandler.create("webroot"));
    router.errorHandler(413, ctx -> new ApiError(413, "payload_too_large",
        "the request body is larger than " + MAX_BODY_BYTES + " bytes", null).send(ctx));
    router.errorHandler(404, ctx -> new ApiError(404, "not_found", "no such resource", null).send(ctx));
    router.errorHandler(405, ctx -> new ApiError(405, "method_not_allowed", "method not allowed here", null).send(ctx));
    router.errorHandler(500, ctx -> ApiError.sendFailure(ctx, ctx.failure()));
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(options.port(), options.host())
        .onSuccess(server -> actualPort.set(server.actualPort()))
        .map(HttpServer::actualPort);
  }
}
