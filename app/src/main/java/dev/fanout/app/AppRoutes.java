package dev.fanout.app;

import dev.fanout.audit.Audit;
import dev.fanout.audit.AuditRoutes;
import dev.fanout.auth.AuthorAuthRoutes;
import dev.fanout.auth.TokenRoutes;
import dev.fanout.core.Refusal;
import dev.fanout.counter.AuthorCounter;
import dev.fanout.counter.AuthorRoutes;
import dev.fanout.dashboard.DashboardSampler;
import dev.fanout.dashboard.GroupControlRoutes;
import dev.fanout.dashboard.LiveRoutes;
import dev.fanout.dashboard.StreamRoutes;
import dev.fanout.faults.FaultRoutes;
import dev.fanout.http.AdminToken;
import dev.fanout.http.HttpServerVerticle;
import dev.fanout.http.Readiness;
import dev.fanout.http.WriteRateLimit;
import dev.fanout.lab.LabRoutes;
import dev.fanout.outbox.OffsetResets;
import dev.fanout.outbox.RelaySignal;
import dev.fanout.publisher.BlogRoutes;
import dev.fanout.publisher.BlogStore;
import dev.fanout.search.SearchRoutes;
import dev.fanout.subscription.SubscriptionRoutes;
import dev.fanout.trace.EventRoutes;
import dev.fanout.trace.EventTraces;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The app's HTTP side: the routes of every feature in the order they must be mounted (the admin token and
 * author tokens before the routes they guard), the dashboard's sampler, and a supplier of HTTP server
 * verticles, one per event loop. Every group-walking route reads the live {@code GroupRegistry}.
 */
final class AppRoutes {

  private final Vertx vertx;
  private final FanoutOptions options;
  private final FanoutApp.Started s;
  private final AuthorCounter counter;
  private final RelaySignal relaySignal;
  private final DashboardSampler sampler;
  private final AtomicInteger port = new AtomicInteger();

  AppRoutes(Vertx vertx, FanoutOptions options, FanoutApp.Started started, AuthorCounter counter,
            RelaySignal relaySignal) {
    this.vertx = vertx;
    this.options = options;
    this.s = started;
    this.counter = counter;
    this.relaySignal = relaySignal;
    this.sampler = new DashboardSampler(started.stream, started.groups, started.factory.outboxFigures());
  }

  DashboardSampler sampler() {
    return sampler;
  }

  /** The port the server listens on, once it was deployed. */
  int port() {
    return port.get();
  }

  /** A supplier of HTTP server verticles, one per instance deployed. */
  Supplier<HttpServerVerticle> server() {
    JsonObject info = new JsonObject()
        .put("version", Version.current())
        .put("backend", options.backend())
        .put("bootstrapServers", s.streamServers)
        .put("partitions", options.partitions())
        .put("topic", FanoutApp.EVENTS_TOPIC)
        .put("database", s.database.description())
        .put("search", s.search.name())
        .put("dataDir", options.dataDir().toString())
        .put("consumersPerGroup", options.consumersPerGroup())
        .put("traceUrlTemplate", options.traceUrlTemplate())
        .put("auth", new JsonObject().put("mode", options.auth().tokens() ? "tokens" : "none")
            .put("tokensFrom", s.jwks != null ? "provider" : s.tokens != null ? "fanout" : null));
    Supplier<Future<Void>> readiness = () -> Future.join(
        Readiness.of("database_unavailable", "the database does not answer", s.database.ping()),
        Readiness.of("stream_unavailable", "the event stream does not answer", s.stream.admin().listTopics()),
        Readiness.of("search_unavailable", "the search engine does not answer", s.search.ping())).mapEmpty();
    HttpServerVerticle.Settings settings = new HttpServerVerticle.Settings(options.host(), options.port(),
        options.corsOrigins());
    AdminToken adminToken = new AdminToken(s.adminToken);
    WriteRateLimit rateLimit = options.publishRateLimit() > 0 ? new WriteRateLimit(options.publishRateLimit()) : null;
    JWTAuth verifier = s.jwks != null ? s.jwks : s.tokens != null ? s.tokens.verifier() : null;
    AuthorAuthRoutes authorAuth = verifier == null ? null : new AuthorAuthRoutes(verifier, rateLimit);
    TokenRoutes tokenRoutes = s.tokens != null ? new TokenRoutes(s.tokens)
        : new TokenRoutes(s.jwks != null
            ? "author tokens come from the identity provider (--jwt-jwks-url), not from Fanout"
            : "authentication is off (--auth none): writes need no token");
    LiveRoutes live = new LiveRoutes(sampler::latest, options.liveMaxConnections());
    LabRoutes lab = new LabRoutes(() -> s.lab(vertx, options), s::labIfMade);
    return () -> new HttpServerVerticle(settings, info, router -> {
      // before every admin route, and the audit, which reads whole tables
      router.route("/api/admin/*").handler(adminToken);
      router.get("/api/audit").handler(adminToken);
      if (authorAuth != null) {
        authorAuth.mount(router, "/api/blogs*", HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE);
      }
      if (rateLimit != null) {
        router.route("/api/blogs*").method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.DELETE)
            .handler(rateLimit);
      }
      mountFeatures(router, tokenRoutes, live, lab);
    }, readiness, port);
  }

  private void mountFeatures(Router router, TokenRoutes tokenRoutes, LiveRoutes live, LabRoutes lab) {
    // each server instance (event loop) batches its own publishes
    BlogStore store = s.factory.blogStore(relaySignal);
    new BlogRoutes(store).mount(router);
    new EventRoutes(new EventTraces(s.database.pool(), s.stream, s.groups::names, blogId -> store.find(blogId)
        .map(true)
        .recover(e -> e instanceof Refusal r && r.kind() == Refusal.Kind.NOT_FOUND
            ? Future.succeededFuture(false) : Future.failedFuture(e)), s.subscriptions.owedFrom()::of)).mount(router);
    new SubscriptionRoutes(s.subscriptions).mount(router);
    tokenRoutes.mount(router);
    new AuthorRoutes(counter).mount(router);
    new SearchRoutes(s.search).mount(router);
    new StreamRoutes(s.stream, s.groups, sampler::status).mount(router);
    live.mount(router);
    new GroupControlRoutes(s.stream, s.groups, new OffsetResets(s.database.pool())).mount(router);
    new FaultRoutes(s.faults, Clock.systemUTC()).mount(router);
    lab.mount(router);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(s.metrics.scrape()));
    new AuditRoutes(new Audit(s.database.pool(), store, counter, s.search)).mount(router);
  }
}
