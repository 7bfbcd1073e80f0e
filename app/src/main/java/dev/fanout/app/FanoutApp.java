package dev.fanout.app;

import dev.fanout.auth.EmbeddedTokens;
import dev.fanout.auth.JwksVerifier;
import dev.fanout.compose.OpenedParts;
import dev.fanout.compose.PartsFactory;
import dev.fanout.consumer.GroupRegistry;
import dev.fanout.consumer.GroupSpec;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.consumer.SinkInterceptor;
import dev.fanout.counter.AuthorCounter;
import dev.fanout.db.Database;
import dev.fanout.faults.FaultInjector;
import dev.fanout.lab.Lab;
import dev.fanout.outbox.OutboxRelay;
import dev.fanout.outbox.RelaySignal;
import dev.fanout.publisher.BlogStore;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchIndexer;
import dev.fanout.stream.EventStream;
import dev.fanout.subscription.GroupHost;
import dev.fanout.subscription.LiveBlogs;
import dev.fanout.subscription.Subscriptions;
import dev.fanout.subscription.WebhookClient;
import dev.fanout.trace.TrailRecorder;
import dev.fanout.tracing.Tracing;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The composition root: starts Fanout inside a Vert.x instance from its {@link FanoutOptions}, with the parts
 * {@link PartsFactory} builds: the database (embedded or external), the stream (and an embedded Kafka broker
 * when the backend needs servers and none are given), the search engine, author tokens, the groups of the
 * {@link GroupRegistry}, the outbox relay, the pruners, the dashboard's sampler and the HTTP server
 * ({@link AppRoutes}). Everything opened is recorded in {@link OpenedParts} and closed in reverse order.
 * Used by {@link Main} and by tests.
 */
public final class FanoutApp {

  /** The topic every blog event is written to, keyed by author. */
  public static final String EVENTS_TOPIC = PartsFactory.EVENTS_TOPIC;
  /** The built-in consumer groups, each with its dead-letter topic: the counter, then search. */
  public static final List<String> GROUPS = List.of(AuthorCounter.GROUP, SearchIndexer.GROUP);
  /** The OpenSearch index that holds the blogs. */
  static final String OPENSEARCH_INDEX = "fanout-blogs";

  private final Vertx vertx;
  private final FanoutOptions options;
  private final Started started;
  private final int port;

  /** What was started. Fields are set while starting, then only read. */
  static final class Started {
    final OpenedParts opened = new OpenedParts();
    final GroupRegistry groups = new GroupRegistry();
    final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Database database;
    EventStream stream;
    String streamServers;
    SearchEngine search;
    PartsFactory factory;
    FaultInjector faults;
    String adminToken;
    EmbeddedTokens tokens;
    JwksVerifier jwks;
    Subscriptions subscriptions;
    Tracing tracing;
    // the lab, made on first use (again after a failed making); guarded by this
    private Future<LabCommand.Setup> lab;

    synchronized Future<Lab> lab(Vertx vertx, FanoutOptions options) {
      if (lab == null || lab.failed()) {
        Future<LabCommand.Setup> making = LabCommand.inApp(vertx, options, database, streamServers);
        lab = making.map(setup -> opened.add("lab", setup, setup::close));
      }
      return lab.map(LabCommand.Setup::lab);
    }

    /** The lab if it was made, else null: for a read that must not make one. */
    synchronized Lab labIfMade() {
      return lab != null && lab.succeeded() ? lab.result().lab() : null;
    }
  }

  private FanoutApp(Vertx vertx, FanoutOptions options, Started started, int port) {
    this.vertx = vertx;
    this.options = options;
    this.started = started;
    this.port = port;
  }

  /** Starts everything; fails, having closed what it started, when any part fails. */
  public static Future<FanoutApp> start(Vertx vertx, FanoutOptions options) {
    return start(vertx, options, Tracing.off());
  }

  /**
   * Starts everything, with {@code tracing} (made into {@code vertx} by {@link PartsFactory#vertx}); it is
   * closed last, so that the spans of the stop are exported too.
   */
  public static Future<FanoutApp> start(Vertx vertx, FanoutOptions options, Tracing tracing) {
    Started s = new Started();
    OpenedParts opened = s.opened;
    s.tracing = opened.add("tracing", tracing, () -> vertx.executeBlocking(() -> {
      tracing.close();
      return null;
    }));
    // The database, the stream, the search engine and the token keys do not need each other: they start side
    // by side (an embedded server's start is mostly waiting for its process), and all are waited for, so that
    // a failure closes whatever else did open.
    Future<?> database = Database.start(vertx, options.pgUrl(), options.dataDir().resolve("pg"),
        PartsFactory.DATABASE_POOL).onSuccess(db -> s.database = opened.add("database", db, db::close));
    Future<?> stream = PartsFactory.openStream(vertx, options.backend(), options.kafkaBootstrap(),
        options.dataDir().resolve("kafka")).onSuccess(opening -> {
          if (opening.broker() != null) {
            opened.add("embedded Kafka broker", opening.broker(), () -> vertx.executeBlocking(() -> {
              opening.broker().close();
              return null;
            }));
          }
          s.stream = opened.add("stream", opening.stream(), opening.stream()::close);
          s.streamServers = opening.servers();
        });
    SearchEngine search = PartsFactory.searchEngine(vertx, options.parts(EVENTS_TOPIC).search(),
        options.dataDir().resolve("search"), OPENSEARCH_INDEX);
    Future<?> searching = search.start().onSuccess(v -> s.search = opened.add("search engine", search, search::close));
    Future<?> tokens = authorTokens(vertx, options.auth(), s);
    return Future.join(database, stream, searching, tokens)
        .compose(v -> {
          s.factory = new PartsFactory(vertx, s.database.pool(), s.database.connectOptions(), s.stream,
              options.parts(EVENTS_TOPIC), s.tracing);
          return s.factory.createTopics(EVENTS_TOPIC, GROUPS);
        })
        .compose(v -> deploy(vertx, options, s))
        .recover(e -> opened.closeAll().transform(ignored -> Future.failedFuture(e)));
  }

  // What checks author tokens: the provider's keys, or the key the tokens minted here are signed with.
  private static Future<Void> authorTokens(Vertx vertx, FanoutOptions.Auth auth, Started s) {
    if (!auth.tokens()) {
      return Future.succeededFuture();
    }
    if (auth.jwksUrl() != null) {
      return JwksVerifier.start(vertx, auth.jwksUrl(), auth.issuer(), auth.audience(),
          Duration.ofSeconds(auth.jwksRefreshSeconds())).map(verifier -> {
            s.jwks = s.opened.add("identity provider's keys", verifier, () -> {
              verifier.close();
              return Future.succeededFuture();
            });
            return null;
          });
    }
    return EmbeddedTokens.open(vertx, auth.keyFile()).map(tokens -> {
      s.tokens = tokens;
      return null;
    });
  }

  private static Future<FanoutApp> deploy(Vertx vertx, FanoutOptions options, Started s) {
    PartsFactory factory = s.factory;
    s.faults = new FaultInjector(vertx, Clock.systemUTC(), () -> Set.copyOf(s.groups.names()));
    s.adminToken = options.adminToken() != null ? options.adminToken() : dev.fanout.http.AdminToken.generate();
    AuthorCounter counter = factory.counter();
    TrailRecorder trail = new TrailRecorder(s.database.pool());
    Future<Void> chain = Future.succeededFuture();
    for (GroupSpec spec : factory.builtInGroups(counter, factory.indexer(s.search))) {
      chain = chain.compose(v -> addGroup(s, spec, s.faults, trail));
    }
    RelaySignal relaySignal = new RelaySignal(vertx);
    // before the relay: its start-up replay and gap healing serve the subscriptions' groups too
    chain = chain.compose(v -> subscriptions(vertx, options, s, trail, relaySignal));
    chain = chain.compose(v -> deploy(vertx, s, "outbox relay",
        () -> factory.relay(s.groups::names, s.subscriptions.owedFrom(), relaySignal, OutboxRelay.LOCK_KEY)));
    chain = chain.compose(v -> deploy(vertx, s, "idempotency-key pruner",
        () -> factory.idempotencyPruner(Duration.ofHours(options.idempotencyKeepHours()))));
    AppRoutes routes = new AppRoutes(vertx, options, s, counter, relaySignal);
    chain = chain.compose(v -> deploy(vertx, s, "dashboard sampler", routes::sampler));
    // one server per event loop; each instance batches its own publishes
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    return chain
        .compose(v -> vertx.deployVerticle(routes.server(), new DeploymentOptions().setInstances(instances)))
        .map(id -> {
          s.opened.add("HTTP server", id, () -> vertx.undeploy(id));
          return new FanoutApp(vertx, options, s, routes.port());
        });
  }

  // Registers the group, then gives it its members; closing stops them.
  private static Future<Void> addGroup(Started s, GroupSpec spec, SinkInterceptor interceptor, TrailRecorder trail) {
    LocalGroup group = s.factory.group(EVENTS_TOPIC, spec, interceptor, s.metrics, trail);
    s.groups.add(group);
    s.opened.add("group " + spec.name(), group, group::stop);
    return s.factory.addMembers(group);
  }

  // The webhook subscriptions: groups that come and go at runtime, started here through a GroupHost.
  private static Future<Void> subscriptions(Vertx vertx, FanoutOptions options, Started s, TrailRecorder trail,
                                            RelaySignal relaySignal) {
    FanoutOptions.Subs settings = options.subscriptions();
    if (settings.allowPrivate()) {
      org.slf4j.LoggerFactory.getLogger(FanoutApp.class).warn("--subscriptions-allow-private: subscriptions may "
          + "deliver to loopback, private and link-local addresses (for tests and local trials only)");
    }
    WebhookClient client = new WebhookClient(vertx, Version.current(), settings.allowPrivate(), s.tracing);
    s.opened.add("webhook client", client, client::close);
    BlogStore blogs = s.factory.blogStore(relaySignal);
    LiveBlogs live = (after, limit) -> blogs.live(after, limit).map(page -> page.stream().map(FanoutApp::liveBlog).toList());
    GroupHost host = new GroupHost() {
      @Override
      public Future<LocalGroup> start(GroupSpec spec, boolean paused) {
        LocalGroup group = s.factory.group(EVENTS_TOPIC, spec, s.faults, s.metrics, trail);
        return s.factory.createTopics(EVENTS_TOPIC, List.of(spec.name())).compose(v -> {
          s.groups.add(group);
          if (paused) {
            group.pause();
          }
          return s.factory.addMembers(group).map(group).recover(e -> {
            s.groups.remove(spec.name());
            return group.retire().transform(ignored -> Future.failedFuture(e));
          });
        });
      }

      @Override
      public Future<Void> stop(String group) {
        return s.groups.remove(group).map(LocalGroup::retire).orElse(Future.succeededFuture());
      }
    };
    Subscriptions subscriptions = new Subscriptions(vertx, s.database.pool(), s.stream, host, live, client,
        new Subscriptions.Settings(EVENTS_TOPIC, settings.max(),
            Duration.ofHours(settings.keepHours()), settings.allowPrivate(), options.resilience()));
    s.subscriptions = s.opened.add("subscriptions", subscriptions, subscriptions::close);
    return subscriptions.start();
  }

  private static LiveBlogs.Blog liveBlog(JsonObject blog) {
    return new LiveBlogs.Blog(UUID.fromString(blog.getString("blogId")), blog.getString("authorId"),
        blog.getInteger("version"), blog.getString("title"), blog.getString("body"),
        blog.getJsonArray("tags").stream().map(String::valueOf).toList(), Instant.parse(blog.getString("publishedAt")),
        Instant.parse(blog.getString("updatedAt")));
  }

  /** The webhook subscriptions of every instance, as this one runs them. */
  public Subscriptions subscriptions() {
    return started.subscriptions;
  }

  private static Future<Void> deploy(Vertx vertx, Started s, String name, Supplier<? extends Deployable> verticle) {
    return vertx.deployVerticle(verticle.get()).map(id -> {
      s.opened.add(name, id, () -> vertx.undeploy(id));
      return null;
    });
  }

  /** The port the HTTP server listens on. */
  public int port() {
    return port;
  }

  public EventStream stream() {
    return started.stream;
  }

  public Database database() {
    return started.database;
  }

  public SearchEngine search() {
    return started.search;
  }

  public FanoutOptions options() {
    return options;
  }

  /** The factory the app was built with: the lab's design 3 is built by the same one. */
  public PartsFactory factory() {
    return started.factory;
  }

  /** The token /api/admin/ asks for: the one given, or the one generated at start. */
  public String adminToken() {
    return started.adminToken;
  }

  /** This process's part of each consumer group, by name. */
  public Map<String, LocalGroup> groups() {
    return started.groups.byName();
  }

  /** The live registry of this process's groups. */
  public GroupRegistry groupRegistry() {
    return started.groups;
  }

  public FaultInjector faults() {
    return started.faults;
  }

  /** The names of the parts open now, the newest first (closing goes in this order). */
  public List<String> openParts() {
    return started.opened.names();
  }

  /**
   * The lab of this app ({@link LabCommand#inApp}), made on the first call: for a route that starts a lab
   * run and reads its progress and result.
   */
  public Future<Lab> lab() {
    return started.lab(vertx, options);
  }

  /**
   * Closes everything in reverse order of opening: the HTTP server first (no new requests), the sampler, the
   * pruner, the relay, then the groups' members (they leave their groups, letting in-flight batches commit),
   * the search engine, the stream, the broker, the database. A part that fails to close is logged by name
   * and the rest still close.
   */
  public Future<Void> stop() {
    return started.opened.closeAll().mapEmpty();
  }
}
