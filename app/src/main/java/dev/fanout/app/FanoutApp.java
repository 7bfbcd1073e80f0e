package dev.fanout.app;

import dev.fanout.audit.Audit;
import dev.fanout.audit.AuditRoutes;
import dev.fanout.auth.AuthorAuthRoutes;
import dev.fanout.auth.EmbeddedTokens;
import dev.fanout.auth.JwksVerifier;
import dev.fanout.auth.TokenRoutes;
import dev.fanout.consumer.DeadLetters;
import dev.fanout.core.Refusal;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.counter.AuthorCounter;
import dev.fanout.counter.AuthorRoutes;
import dev.fanout.dashboard.DashboardSampler;
import dev.fanout.dashboard.GroupControlRoutes;
import dev.fanout.dashboard.LiveRoutes;
import dev.fanout.dashboard.StreamRoutes;
import dev.fanout.db.Database;
import dev.fanout.db.TransactionBatcher;
import dev.fanout.faults.FaultInjector;
import dev.fanout.faults.FaultRoutes;
import dev.fanout.http.AdminToken;
import dev.fanout.http.HttpServerVerticle;
import dev.fanout.http.WriteRateLimit;
import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.lab.Lab;
import dev.fanout.lab.LabRoutes;
import dev.fanout.outbox.OutboxFigures;
import dev.fanout.outbox.OutboxRelay;
import dev.fanout.outbox.RelaySignal;
import dev.fanout.publisher.BlogRoutes;
import dev.fanout.publisher.BlogStore;
import dev.fanout.publisher.IdempotencyKeyPruner;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchIndexer;
import dev.fanout.search.SearchRoutes;
import dev.fanout.search.lucene.LuceneSearchEngine;
import dev.fanout.search.opensearch.OpenSearchEngine;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.spi.StreamBackendProvider;
import dev.fanout.trace.EventRoutes;
import dev.fanout.trace.EventTraces;
import dev.fanout.trace.TrailRecorder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The composition root: starts Fanout inside a Vert.x instance: the database (embedded or external), the
 * stream backend (and an embedded Kafka broker when the backend needs servers and none are given), the
 * topics, then the verticles: the outbox relay, the groups' members and the HTTP server. The only class
 * that reads {@link FanoutOptions} and wires the parts together. Used by {@link Main} and by tests.
 */
public final class FanoutApp {

  /** The topic every blog event is written to, keyed by author. */
  public static final String EVENTS_TOPIC = "blog-events";
  /** The consumer groups that read the blog events, each with its dead-letter topic. */
  public static final List<String> GROUPS = List.of(AuthorCounter.GROUP, SearchIndexer.GROUP);
  /** The OpenSearch index that holds the blogs. */
  static final String OPENSEARCH_INDEX = "fanout-blogs";

  private final Vertx vertx;
  private final FanoutOptions options;
  private final Resources resources;
  private final int port;
  private final List<String> deployments;

  /** What was started, closed in reverse order. Fields are set on start, read on stop. */
  private static final class Resources {
    EmbeddedKafkaCluster kafka;
    Database database;
    EventStream stream;
    String kafkaBootstrap;
    SearchEngine search;
    final Map<String, LocalGroup> groups = new LinkedHashMap<>();
    final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FaultInjector faults;
    // the lab, made on first use (again after a failed making); guarded by this
    private Future<LabCommand.Setup> lab;
    String adminToken;
    EmbeddedTokens tokens;
    JwksVerifier jwks;

    synchronized Future<Lab> lab(Vertx vertx, FanoutOptions options) {
      if (lab == null || lab.failed()) {
        lab = LabCommand.inApp(vertx, options, database, kafkaBootstrap);
      }
      return lab.map(LabCommand.Setup::lab);
    }

    /** The lab if it was made, else null: for a read that must not make one. */
    synchronized Lab labIfMade() {
      return lab != null && lab.succeeded() ? lab.result().lab() : null;
    }

    Future<Void> close(Vertx vertx) {
      Future<LabCommand.Setup> lab;
      synchronized (this) {
        lab = this.lab;
      }
      Future<Void> closed = lab == null ? Future.succeededFuture()
          : lab.compose(LabCommand.Setup::close).recover(e -> Future.succeededFuture());
      if (jwks != null) {
        jwks.close();
      }
      for (LocalGroup group : groups.values()) {
        closed = closed.compose(v -> group.stop());
      }
      closed = closed.compose(v -> stream == null ? Future.succeededFuture() : stream.close()).recover(e -> Future.succeededFuture());
      closed = closed.compose(v -> search == null ? Future.succeededFuture() : search.close())
          .recover(e -> Future.succeededFuture());
      closed = closed.compose(v -> database == null ? Future.succeededFuture() : database.close())
          .recover(e -> Future.succeededFuture());
      return closed.compose(v -> kafka == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
        kafka.close();
        return null;
      }));
    }
  }

  private FanoutApp(Vertx vertx, FanoutOptions options, Resources resources, int port, List<String> deployments) {
    this.vertx = vertx;
    this.options = options;
    this.resources = resources;
    this.port = port;
    this.deployments = deployments;
  }

  /** Starts everything; fails, having released what it started, when any part fails. */
  public static Future<FanoutApp> start(Vertx vertx, FanoutOptions options) {
    Resources resources = new Resources();
    return Database.start(vertx, options.pgUrl(), options.dataDir().resolve("pg"), 16)
        .compose(database -> {
          resources.database = database;
          return kafkaBootstrap(vertx, options, resources);
        })
        .compose(bootstrap -> {
          resources.kafkaBootstrap = bootstrap;
          StreamBackendProvider provider = StreamBackends.provider(options.backend());
          JsonObject config = bootstrap == null ? new JsonObject() : new JsonObject().put(provider.serversKey(), bootstrap);
          return provider.open(vertx, config);
        })
        .compose(stream -> {
          resources.stream = stream;
          Future<Void> topics = stream.admin().createTopic(EVENTS_TOPIC, options.partitions(), options.replicationFactor());
          for (String group : GROUPS) {
            topics = topics.compose(v -> stream.admin().createTopic(
                DeadLetters.topic(EVENTS_TOPIC, group), 1, options.replicationFactor()));
          }
          return topics;
        })
        .compose(v -> {
          resources.search = searchEngine(vertx, options);
          return resources.search.start();
        })
        .compose(v -> authorTokens(vertx, options.auth(), resources))
        .compose(v -> deploy(vertx, options, resources))
        .recover(e -> resources.close(vertx).transform(ignored -> Future.failedFuture(e)));
  }

  private static SearchEngine searchEngine(Vertx vertx, FanoutOptions options) {
    return switch (options.search()) {
      case "lucene" -> new LuceneSearchEngine(vertx, options.dataDir().resolve("search"),
          options.luceneRefreshMillis());
      case "opensearch" -> new OpenSearchEngine(vertx, options.opensearchUrl(), OPENSEARCH_INDEX,
          options.opensearchRefreshMillis());
      default -> throw new IllegalArgumentException("unknown search engine " + options.search());
    };
  }

  // What checks author tokens: the provider's keys, or the key the tokens minted here are signed with.
  private static Future<Void> authorTokens(Vertx vertx, FanoutOptions.Auth auth, Resources resources) {
    if (!auth.tokens()) {
      return Future.succeededFuture();
    }
    if (auth.jwksUrl() != null) {
      return JwksVerifier.start(vertx, auth.jwksUrl(), auth.issuer(), auth.audience(),
          Duration.ofSeconds(auth.jwksRefreshSeconds())).map(verifier -> {
            resources.jwks = verifier;
            return null;
          });
    }
    return EmbeddedTokens.open(vertx, auth.keyFile()).map(tokens -> {
      resources.tokens = tokens;
      return null;
    });
  }

  // The servers the stream backend connects to: none for a backend inside the process; those given; or,
  // for a backend that needs servers but was given none, an embedded Kafka broker under the data dir.
  private static Future<String> kafkaBootstrap(Vertx vertx, FanoutOptions options, Resources resources) {
    if (StreamBackends.provider(options.backend()).serversKey() == null) {
      return Future.succeededFuture(null);
    }
    if (options.kafkaBootstrap() != null) {
      return Future.succeededFuture(options.kafkaBootstrap());
    }
    return vertx.executeBlocking(() -> {
      EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(
          EmbeddedKafkaCluster.Config.of(1).withLogDir(options.dataDir().resolve("kafka")));
      cluster.start();
      resources.kafka = cluster;
      return cluster.bootstrapServers();
    });
  }

  private static Future<FanoutApp> deploy(Vertx vertx, FanoutOptions options, Resources resources) {
    Database database = resources.database;
    EventStream stream = resources.stream;
    List<String> deployments = new ArrayList<>();
    AuthorCounter counter = new AuthorCounter(database.pool());
    SearchEngine search = resources.search;
    resources.faults = new FaultInjector(vertx, Clock.systemUTC(), Set.copyOf(GROUPS));
    resources.adminToken = options.adminToken() != null ? options.adminToken() : AdminToken.generate();
    Map<String, LocalGroup> groups = resources.groups;
    TrailRecorder trail = new TrailRecorder(database.pool());
    groups.put(AuthorCounter.GROUP, new LocalGroup(vertx, stream, EVENTS_TOPIC, AuthorCounter.GROUP, counter,
        options.resilience(), resources.faults, resources.metrics, trail));
    groups.put(SearchIndexer.GROUP, new LocalGroup(vertx, stream, EVENTS_TOPIC, SearchIndexer.GROUP,
        new SearchIndexer(search, database.pool()), options.resilience(), resources.faults, resources.metrics, trail));
    RelaySignal relaySignal = new RelaySignal(vertx);
    Future<Void> chain = deploy(vertx, deployments, () -> new OutboxRelay(database.pool(),
        database.connectOptions(), stream, EVENTS_TOPIC, !stream.survivesRestart(), GROUPS, 500, 1000,
        Duration.ofMinutes(options.outboxKeepMinutes()), relaySignal));
    chain = chain.compose(v -> deploy(vertx, deployments, () -> new IdempotencyKeyPruner(database.pool(),
        Duration.ofHours(options.idempotencyKeepHours()), 1_000, Duration.ofMinutes(1))));
    for (int i = 0; i < options.consumersPerGroup(); i++) {
      for (LocalGroup group : groups.values()) {
        chain = chain.compose(v -> group.addMember()).mapEmpty();
      }
    }
    JsonObject info = new JsonObject()
        .put("version", Version.current())
        .put("backend", options.backend())
        .put("bootstrapServers", resources.kafkaBootstrap)
        .put("partitions", options.partitions())
        .put("topic", EVENTS_TOPIC)
        .put("database", database.description())
        .put("search", search.name())
        .put("dataDir", options.dataDir().toString())
        .put("consumersPerGroup", options.consumersPerGroup())
        .put("auth", new JsonObject().put("mode", options.auth().tokens() ? "tokens" : "none")
            .put("tokensFrom", resources.jwks != null ? "provider" : resources.tokens != null ? "fanout" : null));
    AtomicInteger port = new AtomicInteger();
    Supplier<Future<Void>> readiness = () -> Future.join(database.ping(),
        stream.admin().listTopics(), search.ping()).mapEmpty();
    // one server per event loop; each instance batches its own publishes
    Map<String, LocalGroup> readOnlyGroups = Collections.unmodifiableMap(groups);
    AdminToken adminToken = new AdminToken(resources.adminToken);
    WriteRateLimit rateLimit = options.publishRateLimit() > 0 ? new WriteRateLimit(options.publishRateLimit()) : null;
    JWTAuth verifier = resources.jwks != null ? resources.jwks
        : resources.tokens != null ? resources.tokens.verifier() : null;
    AuthorAuthRoutes authorAuth = verifier == null ? null : new AuthorAuthRoutes(verifier, rateLimit);
    TokenRoutes tokenRoutes = resources.tokens != null ? new TokenRoutes(resources.tokens)
        : new TokenRoutes(resources.jwks != null
            ? "author tokens come from the identity provider (--jwt-jwks-url), not from Fanout"
            : "authentication is off (--auth none): writes need no token");
    DashboardSampler sampler = new DashboardSampler(stream, readOnlyGroups,
        new OutboxFigures(database.pool(), 100_000)); // unsent events counted at most
    LiveRoutes live = new LiveRoutes(sampler::latest, options.liveMaxConnections());
    LabRoutes lab = new LabRoutes(() -> resources.lab(vertx, options), resources::labIfMade);
    chain = chain.compose(v -> deploy(vertx, deployments, () -> sampler));
    HttpServerVerticle.Settings httpSettings = new HttpServerVerticle.Settings(options.host(), options.port(),
        options.corsOrigins());
    Supplier<HttpServerVerticle> http = () -> new HttpServerVerticle(httpSettings, info, router -> {
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
      BlogStore store = new BlogStore(database.pool(), new TransactionBatcher(database.pool(), 64, 4, 10_000),
          relaySignal);
      new BlogRoutes(store).mount(router);
      new EventRoutes(new EventTraces(database.pool(), stream, GROUPS, blogId -> store.find(blogId)
          .map(true)
          .recover(e -> e instanceof Refusal r && r.kind() == Refusal.Kind.NOT_FOUND
              ? Future.succeededFuture(false) : Future.failedFuture(e)))).mount(router);
      tokenRoutes.mount(router);
      new AuthorRoutes(counter).mount(router);
      new SearchRoutes(search).mount(router);
      new StreamRoutes(stream, readOnlyGroups).mount(router);
      live.mount(router);
      new GroupControlRoutes(stream, readOnlyGroups).mount(router);
      new FaultRoutes(resources.faults, Clock.systemUTC()).mount(router);
      lab.mount(router);
      router.get("/metrics").handler(ctx -> ctx.response()
          .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
          .end(resources.metrics.scrape()));
      new AuditRoutes(new Audit(database.pool(), store, counter, search)).mount(router);
    }, readiness, port);
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    return chain.compose(v -> vertx.deployVerticle(http, new DeploymentOptions().setInstances(instances)))
        .map(id -> {
          deployments.add(id);
          return new FanoutApp(vertx, options, resources, port.get(), deployments);
        });
  }

  private static Future<Void> deploy(Vertx vertx, List<String> deployments,
                                     Supplier<io.vertx.core.Deployable> verticle) {
    return vertx.deployVerticle(verticle.get()).map(id -> {
      deployments.add(id);
      return null;
    });
  }

  /** The port the HTTP server listens on. */
  public int port() {
    return port;
  }

  public EventStream stream() {
    return resources.stream;
  }

  public Database database() {
    return resources.database;
  }

  public SearchEngine search() {
    return resources.search;
  }

  public FanoutOptions options() {
    return options;
  }

  /** The token /api/admin/ asks for: the one given, or the one generated at start. */
  public String adminToken() {
    return resources.adminToken;
  }

  /** This process's part of each consumer group, by name. */
  public Map<String, LocalGroup> groups() {
    return Collections.unmodifiableMap(resources.groups);
  }

  public FaultInjector faults() {
    return resources.faults;
  }

  /**
   * The lab of this app ({@link LabCommand#inApp}), made on the first call: for a route that starts a lab
   * run and reads its progress and result.
   */
  public Future<Lab> lab() {
    return resources.lab(vertx, options);
  }

  /**
   * Stops taking requests, stops the relay, then the groups' members (they leave their groups, letting
   * in-flight batches commit), then closes everything.
   */
  public Future<Void> stop() {
    Future<Void> undeployed = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      undeployed = undeployed.compose(v -> vertx.undeploy(id)).recover(e -> Future.succeededFuture());
    }
    return undeployed.compose(v -> resources.close(vertx));
  }
}
