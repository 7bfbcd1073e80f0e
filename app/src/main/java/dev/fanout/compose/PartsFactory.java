package dev.fanout.compose;

import dev.fanout.consumer.DeadLetters;
import dev.fanout.consumer.GroupSpec;
import dev.fanout.consumer.GroupTrail;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.consumer.ResiliencePolicy;
import dev.fanout.consumer.SinkInterceptor;
import dev.fanout.counter.AuthorCounter;
import dev.fanout.db.TransactionBatcher;
import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.outbox.OutboxFigures;
import dev.fanout.outbox.OutboxRelay;
import dev.fanout.outbox.OwedFrom;
import dev.fanout.outbox.RelaySignal;
import dev.fanout.publisher.BlogStore;
import dev.fanout.publisher.IdempotencyKeyPruner;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchIndexer;
import dev.fanout.search.lucene.LuceneSearchEngine;
import dev.fanout.search.opensearch.OpenSearchEngine;
import dev.fanout.stream.EventStream;
import dev.fanout.tracing.Tracing;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.spi.StreamBackendProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.core.tracing.TracingOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one factory of Fanout's parts: the publisher's store, the built-in groups, the outbox relay and its
 * pruner, the idempotency-key pruner, the search engine, the stream. The app ({@code FanoutApp}) builds itself
 * with it, and so does the lab's design 3 (Fanout as it is); designs 1 and 2 reuse its parts. Every number the
 * parts are built with is written here once.
 *
 * <p>An instance is bound to one database (pool and connect options), one stream and one {@link Settings}; it
 * keeps no state of its own and may be used from any thread.
 */
public final class PartsFactory {

  /** The topic every blog event is written to, keyed by author. */
  public static final String EVENTS_TOPIC = "blog-events";
  /** Outbox rows the relay reads and sends per round. */
  static final int RELAY_BATCH = 500;
  /** How often the relay looks at the outbox (and at the groups' resets, and prunes) without a wake-up. */
  static final long RELAY_POLL_MILLIS = 1_000;
  /** Publishes one transaction carries at most. */
  static final int PUBLISH_BATCH = 64;
  /** Publish transactions in flight at once, per batcher. */
  static final int PUBLISH_CONCURRENCY = 4;
  /**
   * The least time between the starts of two publish transactions of one batcher, unless a full batch waits:
   * at moderate rates a transaction then carries several publishes instead of one each (a transaction's fixed
   * cost in PostgreSQL is several times a publish's own), and a publish after a quiet spell goes at once.
   */
  static final long PUBLISH_MIN_GAP_MICROS = 10_000;
  /** The least time between the starts of two relay rounds, for the same reason (a round is two statements). */
  static final long RELAY_MIN_GAP_MILLIS = 20;
  /** Publishes waiting for a transaction at most; past it a publish is refused as overloaded. */
  static final int PUBLISH_QUEUE = 10_000;
  /** Idempotency keys one prune deletes at most, and how often it runs. */
  static final int IDEMPOTENCY_PRUNE_BATCH = 1_000;
  static final Duration IDEMPOTENCY_PRUNE_EVERY = Duration.ofMinutes(1);
  /** Unsent outbox rows the dashboard counts at most. */
  static final int OUTBOX_FIGURES_CAP = 100_000;
  /** Connections of the app's database pool. */
  public static final int DATABASE_POOL = 16;

  /**
   * How the search engine is reached.
   *
   * @param kind                    which engine
   * @param luceneRefreshMillis     Lucene: the least time between two reopens of its reader
   * @param opensearchUrl           OpenSearch: its base URL (null with Lucene)
   * @param opensearchRefreshMillis OpenSearch: the least time between two refresh requests
   */
  public record SearchSettings(SearchKind kind, int luceneRefreshMillis, String opensearchUrl,
                               int opensearchRefreshMillis) {
  }

  /**
   * What the parts are built with, taken from the options once.
   *
   * @param topic               the topic the events go to and the groups read
   * @param partitions          partitions of that topic
   * @param replicationFactor   copies of each topic partition the stream keeps
   * @param consumersPerGroup   members each group gets in this process
   * @param resilience          retries and circuit breaking of each group's sink
   * @param outboxKeep          how long a sent event stays in the outbox at least
   * @param replayUnsentAtStart whether the relay sends again, at start, every event some group has not
   *                            processed, when the stream forgets on restart
   * @param search              how the search engine is reached
   */
  public record Settings(String topic, int partitions, int replicationFactor, int consumersPerGroup,
                         ResiliencePolicy resilience, Duration outboxKeep, boolean replayUnsentAtStart,
                         SearchSettings search) {

    public Settings withTopic(String value) {
      return new Settings(value, partitions, replicationFactor, consumersPerGroup, resilience, outboxKeep,
          replayUnsentAtStart, search);
    }

    public Settings withOutboxKeep(Duration value) {
      return new Settings(topic, partitions, replicationFactor, consumersPerGroup, resilience, value,
          replayUnsentAtStart, search);
    }

    public Settings withReplayUnsentAtStart(boolean value) {
      return new Settings(topic, partitions, replicationFactor, consumersPerGroup, resilience, outboxKeep, value,
          search);
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final EventStream stream;
  private final Settings settings;
  private final Tracing tracing;

  public PartsFactory(Vertx vertx, Pool pool, PgConnectOptions connectOptions, EventStream stream,
                      Settings settings) {
    this(vertx, pool, connectOptions, stream, settings, Tracing.off());
  }

  /** With {@code tracing}: the parts it makes put their spans in the publishes' traces. */
  public PartsFactory(Vertx vertx, Pool pool, PgConnectOptions connectOptions, EventStream stream,
                      Settings settings, Tracing tracing) {
    this.vertx = vertx;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.stream = stream;
    this.settings = settings;
    this.tracing = tracing;
  }

  public Tracing tracing() {
    return tracing;
  }

  /**
   * The app's Vert.x, made with its tracer: Vert.x takes a tracer only when it is created, so the factory of
   * the parts makes it too. Without tracing, a plain Vert.x.
   */
  public static Vertx vertx(Tracing tracing) {
    VertxTracerFactory tracer = tracing.vertxTracer();
    if (tracer == null) {
      return Vertx.vertx();
    }
    return Vertx.builder()
        .with(new VertxOptions().setTracingOptions(new TracingOptions()))
        .withTracer(tracer)
        .build();
  }

  public Settings settings() {
    return settings;
  }

  /** The span of one publish transaction, linked to the publishes it carries. */
  public static final String OUTBOX_COMMIT_SPAN = "outbox commit";

  /**
   * The publisher's store: writes each blog with its outbox row, many publishes per transaction; with
   * tracing on, each row keeps its request's trace context and each transaction is an
   * {@value #OUTBOX_COMMIT_SPAN} span.
   */
  public BlogStore blogStore(RelaySignal signal) {
    return new BlogStore(pool, new TransactionBatcher(pool, PUBLISH_BATCH, PUBLISH_CONCURRENCY, PUBLISH_QUEUE,
        tracing, OUTBOX_COMMIT_SPAN).paced(vertx, PUBLISH_MIN_GAP_MICROS), signal, tracing);
  }

  /** The counter's sink: per-author counts, exactly once. */
  public AuthorCounter counter() {
    return new AuthorCounter(pool, settings.resilience().sinkTimeoutMillis());
  }

  /** The search group's sink over {@code engine}. */
  public SearchIndexer indexer(SearchEngine engine) {
    return new SearchIndexer(engine, pool, settings.resilience().sinkTimeoutMillis());
  }

  /** The built-in groups, in the order they are listed everywhere: the counter, then search. */
  public List<GroupSpec> builtInGroups(AuthorCounter counter, SearchIndexer indexer) {
    return List.of(GroupSpec.of(AuthorCounter.GROUP, counter, settings.resilience()),
        GroupSpec.of(SearchIndexer.GROUP, indexer, settings.resilience()));
  }

  /** This process's part of a group reading {@code topic} (no member yet: see {@link #addMembers}). */
  public LocalGroup group(String topic, GroupSpec spec, SinkInterceptor interceptor, MeterRegistry metrics,
                          GroupTrail trail) {
    return new LocalGroup(vertx, stream, topic, spec, interceptor, metrics, trail, tracing);
  }

  /** Gives the group its members in this process: {@link Settings#consumersPerGroup} of them. */
  public Future<Void> addMembers(LocalGroup group) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < settings.consumersPerGroup(); i++) {
      chain = chain.compose(v -> group.addMember()).mapEmpty();
    }
    return chain;
  }

  /** Creates {@code topic} and the dead-letter topic of each group that reads it (each call is idempotent). */
  public Future<Void> createTopics(String topic, Collection<String> groups) {
    Future<Void> chain = stream.admin().createTopic(topic, settings.partitions(), settings.replicationFactor());
    for (String group : groups) {
      chain = chain.compose(v -> stream.admin().createTopic(DeadLetters.topic(topic, group), 1,
          settings.replicationFactor()));
    }
    return chain;
  }

  /**
   * The outbox relay of {@link Settings#topic}, with its pruner.
   *
   * @param processing the groups that record processed events, read anew at each use
   */
  public OutboxRelay relay(Supplier<List<String>> processing, RelaySignal signal) {
    return relay(processing, signal, OutboxRelay.LOCK_KEY);
  }

  /** The same relay, leading under advisory lock {@code lockKey}: for an outbox that shares its database. */
  public OutboxRelay relay(Supplier<List<String>> processing, RelaySignal signal, long lockKey) {
    return relay(processing, OwedFrom.ALWAYS, signal, lockKey);
  }

  /**
   * The relay of {@link Settings#topic}, for groups that are owed events from their start on (subscriptions).
   *
   * @param owedFrom since when each group is owed events
   */
  public OutboxRelay relay(Supplier<List<String>> processing, OwedFrom owedFrom, RelaySignal signal, long lockKey) {
    return new OutboxRelay(pool, connectOptions, stream, settings.topic(),
        settings.replayUnsentAtStart() && !stream.survivesRestart(), processing, RELAY_BATCH, RELAY_POLL_MILLIS,
        settings.outboxKeep(), signal, lockKey, owedFrom).pacedRounds(RELAY_MIN_GAP_MILLIS);
  }

  /** Deletes idempotency keys older than {@code keep}. */
  public IdempotencyKeyPruner idempotencyPruner(Duration keep) {
    return new IdempotencyKeyPruner(pool, keep, IDEMPOTENCY_PRUNE_BATCH, IDEMPOTENCY_PRUNE_EVERY);
  }

  /** The outbox's figures for the dashboard. */
  public OutboxFigures outboxFigures() {
    return new OutboxFigures(pool, OUTBOX_FIGURES_CAP);
  }

  /**
   * A search engine (not started) as {@code search} says: Lucene in {@code luceneDirectory}, or OpenSearch's
   * index {@code index}.
   */
  public static SearchEngine searchEngine(Vertx vertx, SearchSettings search, Path luceneDirectory, String index) {
    return switch (search.kind()) {
      case LUCENE -> new LuceneSearchEngine(vertx, luceneDirectory, search.luceneRefreshMillis());
      case OPENSEARCH -> new OpenSearchEngine(vertx, search.opensearchUrl(), index, search.opensearchRefreshMillis());
    };
  }

  /**
   * A stream of the backend named, with what it needs to reach: no servers for a backend inside the process;
   * the servers given; or, for a backend that needs servers but was given none, an embedded Kafka broker
   * started (on a worker) with its log under {@code kafkaDirectory}.
   */
  public static Future<OpenedStream> openStream(Vertx vertx, String backend, String servers, Path kafkaDirectory) {
    StreamBackendProvider provider = StreamBackends.provider(backend);
    Future<ServersAndBroker> reached;
    if (provider.serversKey() == null) {
      reached = Future.succeededFuture(new ServersAndBroker(null, null));
    } else if (servers != null) {
      reached = Future.succeededFuture(new ServersAndBroker(servers, null));
    } else {
      reached = vertx.executeBlocking(() -> {
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(
            EmbeddedKafkaCluster.Config.of(1).withLogDir(kafkaDirectory));
        cluster.start();
        return new ServersAndBroker(cluster.bootstrapServers(), cluster);
      });
    }
    return reached.compose(at -> provider.open(vertx, at.servers() == null ? new JsonObject()
            : new JsonObject().put(provider.serversKey(), at.servers()))
        .map(stream -> new OpenedStream(stream, at.servers(), at.broker()))
        .recover(e -> at.broker() == null ? Future.failedFuture(e) : vertx.<Void>executeBlocking(() -> {
          at.broker().close();
          return null;
        }).transform(ignored -> Future.failedFuture(e))));
  }

  private record ServersAndBroker(String servers, EmbeddedKafkaCluster broker) {
  }

  /**
   * A stream just opened.
   *
   * @param servers the servers it reaches, or null for a backend inside the process
   * @param broker  the embedded broker started for it, or null; whoever opened the stream closes it after the stream
   */
  public record OpenedStream(EventStream stream, String servers, EmbeddedKafkaCluster broker) {
  }
}
