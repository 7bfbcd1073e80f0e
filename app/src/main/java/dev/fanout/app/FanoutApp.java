package dev.fanout.app;

import dev.fanout.counter.AuthorCounter;
import dev.fanout.counter.AuthorRoutes;
import dev.fanout.counter.CounterVerticle;
import dev.fanout.dashboard.DashboardApi;
import dev.fanout.db.Database;
import dev.fanout.db.GroupCommitter;
import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.publisher.BlogRoutes;
import dev.fanout.publisher.BlogStore;
import dev.fanout.publisher.OutboxRelay;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts Fanout inside a Vert.x instance: the database (embedded or external), the stream backend (and an
 * embedded Kafka broker when Kafka is chosen without servers), the topics, then the verticles: the outbox
 * relay, the counter group's members and the HTTP server. Used by {@link Main} and by tests.
 */
public final class FanoutApp {

  /** The topic every blog event is written to, keyed by author. */
  public static final String EVENTS_TOPIC = "blog-events";
  /** Where the counter group puts events it can never process. */
  public static final String COUNTER_DEAD_LETTERS = EVENTS_TOPIC + ".dlq." + AuthorCounter.GROUP;

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

    Future<Void> close(Vertx vertx) {
      Future<Void> closed = stream == null ? Future.succeededFuture() : stream.close().recover(e -> Future.succeededFuture());
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
          JsonObject config = bootstrap == null ? new JsonObject() : new JsonObject().put("bootstrap.servers", bootstrap);
          return StreamBackends.open(vertx, options.backend(), config);
        })
        .compose(stream -> {
          resources.stream = stream;
          return stream.admin().createTopic(EVENTS_TOPIC, options.partitions(), 1)
              .compose(v -> stream.admin().createTopic(COUNTER_DEAD_LETTERS, 1, 1));
        })
        .compose(v -> deploy(vertx, options, resources))
        .recover(e -> resources.close(vertx).transform(ignored -> Future.failedFuture(e)));
  }

  private static Future<String> kafkaBootstrap(Vertx vertx, FanoutOptions options, Resources resources) {
    if (!options.backend().equals("kafka")) {
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
    boolean streamForgets = options.backend().equals("memory");
    Future<Void> chain = vertx.deployVerticle(new OutboxRelay(database.pool(), database.connectOptions(), stream,
            EVENTS_TOPIC, streamForgets, List.of(AuthorCounter.GROUP), 500, 1000))
        .map(id -> {
          deployments.add(id);
          return null;
        });
    for (int i = 0; i < options.consumersPerGroup(); i++) {
      chain = chain.compose(v -> vertx.deployVerticle(
              new CounterVerticle(stream, EVENTS_TOPIC, COUNTER_DEAD_LETTERS, counter)))
          .map(id -> {
            deployments.add(id);
            return null;
          });
    }
    JsonObject info = new JsonObject()
        .put("version", Version.current())
        .put("backend", options.backend())
        .put("bootstrapServers", resources.kafkaBootstrap)
        .put("partitions", options.partitions())
        .put("topic", EVENTS_TOPIC)
        .put("database", database.description())
        .put("dataDir", options.dataDir().toString())
        .put("consumersPerGroup", options.consumersPerGroup());
    HttpVerticle http = new HttpVerticle(options, info, router -> {
      BlogStore store = new BlogStore(database.pool(), new GroupCommitter(database.pool(), 64, 4, 10_000));
      new BlogRoutes(store).mount(router);
      new AuthorRoutes(counter).mount(router);
      new DashboardApi(stream).mount(router);
    }, () -> Future.join(database.pool().query("SELECT 1").execute(), stream.admin().listTopics()).mapEmpty());
    return chain.compose(v -> vertx.deployVerticle(http))
        .map(id -> {
          deployments.add(id);
          return new FanoutApp(vertx, options, resources, http.actualPort(), deployments);
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

  public FanoutOptions options() {
    return options;
  }

  /** Stops taking requests, stops the verticles (members leave their groups), then closes everything. */
  public Future<Void> stop() {
    Future<Void> undeployed = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      undeployed = undeployed.compose(v -> vertx.undeploy(id)).recover(e -> Future.succeededFuture());
    }
    return undeployed.compose(v -> resources.close(vertx));
  }
}
