package dev.fanout.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The HTTP face of Fanout: the JSON API, health checks and the dashboard's static files. Every API error
 * is JSON, including the router's own (404, 405, 413). The features' routes are mounted by the
 * {@code routes} callback the composition root hands in. {@code /health/ready} answers 503 with a
 * {@code reason} of the form {@code code: text} (see {@link Readiness}), never the failure's own message.
 */
public final class HttpServerVerticle extends VerticleBase {

  /**
   * The largest request body accepted. The largest valid blog in its largest JSON encoding fits, with room
   * for white space: every character of a 100,000-character body, a 300-character title and ten
   * 40-character tags escaped as a surrogate pair ({@code \ud83d\ude00}, 12 bytes a character) is about
   * 1,208,600 bytes.
   */
  public static final long MAX_BODY_BYTES = 1280 * 1024;

  private final Settings settings;
  private final JsonObject info;
  private final Consumer<Router> routes;
  private final Supplier<Future<Void>> readiness;
  // shared by the instances of one deployment: set when a server listens, read after the deployment
  private final AtomicInteger actualPort;

  /**
   * Where the server listens and which browser origins may call it.
   *
   * @param port        0 picks a free port
   * @param corsOrigins origins allowed to call the API from a browser; empty: CORS closed
   */
  public record Settings(String host, int port, List<String> corsOrigins) {
  }

  /**
   * One instance of the HTTP server; deploy several (they share the port, Vert.x spreads connections)
   * to use several event loops.
   */
  public HttpServerVerticle(Settings settings, JsonObject info, Consumer<Router> routes, Supplier<Future<Void>> readiness,
               AtomicInteger actualPort) {
    this.settings = settings;
    this.info = info;
    this.routes = routes;
    this.readiness = readiness;
    this.actualPort = actualPort;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    if (!settings.corsOrigins().isEmpty()) {
      // without this handler no response carries Access-Control-Allow-Origin: browsers keep other sites out
      router.route().handler(CorsHandler.create().addOrigins(settings.corsOrigins())
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
            .end(new JsonObject().put("status", "DOWN").put("reason", Readiness.publicText(e)).encode())));
    routes.accept(router);
    // The page and its modules are revalidated on every use (no-cache, against Last-Modified): after an
    // upgrade a browser never runs an old module beside a new one, and an unchanged file costs only a 304.
    // The handler adds its own Cache-Control only when none is set.
    router.route("/*").handler(ctx -> {
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      ctx.next();
    }).handler(StaticHandler.create("webroot"));
    router.errorHandler(413, ctx -> ApiErrors.send(ctx, 413, "payload_too_large",
        "the request body is larger than " + MAX_BODY_BYTES + " bytes", null));
    router.errorHandler(404, ctx -> ApiErrors.send(ctx, 404, "not_found", "no such resource", null));
    router.errorHandler(405, ctx -> ApiErrors.send(ctx, 405, "method_not_allowed", "method not allowed here", null));
    router.errorHandler(500, ctx -> ApiErrors.fail(ctx, ctx.failure()));
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(settings.port(), settings.host())
        .onSuccess(server -> actualPort.set(server.actualPort()))
        .map(HttpServer::actualPort);
  }
}
