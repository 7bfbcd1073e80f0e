package dev.fanout.outbox;

import dev.fanout.core.StartGap;
import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.RecordPosition;
import dev.fanout.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves outbox rows to the stream, oldest first, and marks them sent: at-least-once, since a crash between
 * the send and the mark sends the rows again (consumers are idempotent). Rows are sent in outbox id order.
 * The events of one blog are written one transaction after the other (its row is locked by each change),
 * so their ids, and their order in the blog's partition, follow its versions. Events of different blogs may
 * be sent in another order than they committed: an id is taken at insert, before its transaction commits.
 *
 * <p>Only one relay works at a time: the one holding a PostgreSQL advisory lock on its own connection;
 * others stand by and try again. It is woken by LISTEN/NOTIFY on each outbox write, and polls as a
 * fallback. When the stream does not survive restarts (the in-memory backend), the relay first marks
 * unsent again every event that some consumer group has not recorded as processed.
 *
 * <p>A group whose committed offset fell out of the stream's retention goes on from the oldest record
 * still kept: the records in between are gone from the stream, never handled by that group. About once per
 * poll interval, after a round that left nothing unsent, the leader compares what each group has not handled
 * in the outbox with each partition's log start and the group's committed offset ({@link GapHealer}), and
 * marks unsent again only the events that fell out of the log before the group read them, whichever
 * instance's member met the loss; it records as skipped the events a group passed over while they were
 * still in the log (a reset forward). The gap is made up without a restart or a repair (the other groups
 * see those events again too, and change nothing: they are idempotent).
 *
 * <p>A row that kept the trace context of the request that wrote it (see {@link Outbox}) is sent with it as
 * the record's {@value Tracing#TRACEPARENT} header, on every send: the first, a start-up re-send and a gap
 * healed alike, all of which go through the same round.
 *
 * <p>The relay records where each send landed (partition and offset). The leader also prunes, in small
 * batches every {@value #PRUNE_EVERY_MILLIS} ms, the events nothing can need any more
 * ({@link OutboxPruner}), so the outbox, the processed-events record and the start-up re-send stay bounded
 * by what the stream still holds, what is unprocessed and the kept window, not by history.
 *
 * <p>The leader reads and marks on its lock connection, whose session does not wait for the WAL flush on
 * commit ({@code synchronous_commit off}): a mark lost in a crash only sends its rows again, which
 * at-least-once delivery allows, and a round no longer waits for an fsync before it looks for new rows.
 */
public final class OutboxRelay extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  /** Events the pruner deletes per statement. */
  static final int PRUNE_BATCH = 1000;
  /** After a batch that was not full, the pruner waits this long. */
  static final long PRUNE_EVERY_MILLIS = 10_000;
  /** The advisory lock the app's relays share: one leads per database. */
  public static final long LOCK_KEY = 0x46616e6f75744f42L; // "FanoutOB"

  private static final String TRY_LOCK = "SELECT pg_try_advisory_lock($1) AS locked";
  /** The relay's session does not wait for its marks to be flushed (public: the PostgreSQL ceiling runs it too). */
  public static final String NO_FLUSH_WAIT = "SET synchronous_commit TO OFF";
  /** The relay's read of unsent events (public so that the load test's PostgreSQL ceiling runs the same). */
  public static final String SELECT_UNSENT =
      "SELECT id, event_id, event_type, event_key, payload, traceparent FROM outbox WHERE sent_at IS NULL "
          + "ORDER BY id LIMIT $1";
  /** How the relay marks events sent, with where they landed (public for the same reason). */
  public static final String MARK_SENT =
      "UPDATE outbox o SET sent_at = now(), stream_partition = s.part, stream_offset = s.off "
          + "FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS s(id, part, off) WHERE o.id = s.id";
  // an event is owed to a group when it was committed at or after the group's start (see OwedFrom)
  private static final String UNSEND_UNPROCESSED =
      "UPDATE outbox SET sent_at = NULL WHERE sent_at IS NOT NULL AND (SELECT count(*) FROM "
          + "unnest($1::text[], $2::timestamptz[]) AS g(name, since) WHERE outbox.created_at < g.since "
          + "OR EXISTS (SELECT 1 FROM processed_events p WHERE p.event_id = outbox.event_id AND p.group_name = g.name)) "
          + "< cardinality($1)";

  private final OwedFrom owedFrom;
  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final EventStream stream;
  private final String topic;
  private final boolean replayUnprocessed;
  private final Supplier<List<String>> groups;
  private final int batchSize;
  private final long pollMillis;
  private final OutboxPruner pruner;
  private final RelaySignal signal;
  private final long lockKey;
  private final GapHealer healer;
  // when this relay started: what was sent before went to an earlier life of a stream that forgets
  private final Instant startedAt = Instant.now();

  // all accessed on this verticle's context
  private PgConnection lockConnection;
  private PgSubscriber subscriber;
  private boolean leader;
  private boolean running;
  private boolean wokenWhileRunning;
  private boolean stopped;
  private boolean pruning;
  private long lastPrune;
  private long lastHeal;
  // pacing of the rounds (see pacedRounds); the gap is made at start, with the verticle's Vert.x
  private long minRoundGapMillis;
  private StartGap roundGap = StartGap.none();

  /**
   * @param replayUnprocessed whether the stream forgets on restart, so unprocessed events must be re-sent
   * @param groups            the consumer groups that record processed events, read anew at each use (the
   *                          registry is live: groups come and go)
   * @param keepSent          how long a sent event stays in the outbox at least (see {@link OutboxPruner})
   * @param signal            how this process's writers learn whether this relay leads, and wake it
   */
  public OutboxRelay(Pool pool, PgConnectOptions connectOptions, EventStream stream, String topic,
                     boolean replayUnprocessed, Supplier<List<String>> groups, int batchSize, long pollMillis,
                     Duration keepSent, RelaySignal signal) {
    this(pool, connectOptions, stream, topic, replayUnprocessed, groups, batchSize, pollMillis, keepSent, signal,
        LOCK_KEY, OwedFrom.ALWAYS);
  }

  /**
   * @param lockKey the advisory lock relays of one outbox share (the lab's runs each have an outbox of their own
   *                in one database, so each needs a key of its own)
   */
  public OutboxRelay(Pool pool, PgConnectOptions connectOptions, EventStream stream, String topic,
                     boolean replayUnprocessed, Supplier<List<String>> groups, int batchSize, long pollMillis,
                     Duration keepSent, RelaySignal signal, long lockKey) {
    this(pool, connectOptions, stream, topic, replayUnprocessed, groups, batchSize, pollMillis, keepSent, signal,
        lockKey, OwedFrom.ALWAYS);
  }

  /**
   * @param owedFrom since when each group is owed events: the relay sends again, and the pruner keeps, for a
   *                 group only the events committed from then on
   */
  public OutboxRelay(Pool pool, PgConnectOptions connectOptions, EventStream stream, String topic,
                     boolean replayUnprocessed, Supplier<List<String>> groups, int batchSize, long pollMillis,
                     Duration keepSent, RelaySignal signal, long lockKey, OwedFrom owedFrom) {
    this.owedFrom = owedFrom;
    this.lockKey = lockKey;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.stream = stream;
    this.topic = topic;
    this.replayUnprocessed = replayUnprocessed;
    this.groups = groups;
    this.batchSize = batchSize;
    this.pollMillis = pollMillis;
    this.pruner = new OutboxPruner(pool, groups, owedFrom, keepSent, PRUNE_BATCH);
    this.signal = signal;
    // a stream that forgets on restart numbers its offsets anew: earlier sends' positions mean nothing
    this.healer = new GapHealer(stream, topic, stream.survivesRestart() ? Instant.EPOCH : startedAt);
  }

  /**
   * Spaces the relay's rounds out: a wake-up starts a round at least {@code minGapMillis} after the previous
   * one started (a timer starts the one held back), so that at moderate rates a round reads and marks several
   * commits' rows instead of one each. A round that finds full batches goes on at once. Call before start;
   * 0 (the default): a round starts on every wake-up that finds none running.
   *
   * @return this relay
   */
  public OutboxRelay pacedRounds(long minGapMillis) {
    if (minGapMillis < 0) {
      throw new IllegalArgumentException("the least gap between relay rounds must be at least 0, was " + minGapMillis);
    }
    this.minRoundGapMillis = minGapMillis;
    return this;
  }

  @Override
  public Future<?> start() {
    roundGap = StartGap.of(vertx, TimeUnit.MILLISECONDS.toMicros(minRoundGapMillis));
    subscriber = PgSubscriber.subscriber(vertx, connectOptions)
        .reconnectPolicy(attempt -> 1000L);
    subscriber.channel(Outbox.CHANNEL).handler(payload -> wake());
    vertx.eventBus().localConsumer(RelaySignal.ADDRESS, message -> wake());
    vertx.setPeriodic(pollMillis, id -> {
      wake();
      prune();
    });
    return subscriber.connect().onSuccess(v -> wake());
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    signal.leading(false);
    Future<Void> closeSubscriber = subscriber == null ? Future.succeededFuture() : subscriber.close();
    Future<Void> closeLock = lockConnection == null ? Future.succeededFuture() : lockConnection.close();
    return Future.join(closeSubscriber, closeLock);
  }

  private void wake() {
    if (stopped) {
      return;
    }
    if (running) {
      wokenWhileRunning = true;
      return;
    }
    if (!roundGap.tryStart(this::wake)) {
      return;
    }
    running = true;
    becomeLeader()
        .compose(isLeader -> isLeader ? relayAll().compose(v -> healGaps()) : Future.succeededFuture())
        .onComplete(ar -> {
          running = false;
          if (ar.failed()) {
            LOG.warn("outbox relay failed, will retry: {}", ar.cause().toString());
          } else if (wokenWhileRunning) {
            wokenWhileRunning = false;
            wake();
          }
        });
  }

  // Only after relayAll's last round, so that what the previous heal marked has landed in the log and the
  // log starts this one reads count it. Sends what it marks at once.
  private Future<Void> healGaps() {
    long now = System.currentTimeMillis();
    if (stopped || lockConnection == null || now - lastHeal < pollMillis) {
      return Future.succeededFuture();
    }
    lastHeal = now;
    return healer.heal(lockConnection, groups.get(), owedFrom)
        .recover(e -> {
          LOG.warn("outbox relay: looking for retention gaps failed, will retry: {}", e.toString());
          return Future.succeededFuture(0);
        })
        .compose(marked -> marked > 0 ? relayAll() : Future.succeededFuture());
  }

  // One batch per tick, at most one tick in PRUNE_EVERY_MILLIS, more while batches come back full.
  private void prune() {
    long now = System.currentTimeMillis();
    if (!leader || stopped || pruning || now - lastPrune < PRUNE_EVERY_MILLIS) {
      return;
    }
    pruning = true;
    stream.admin().listTopics()
        .map(topics -> topics.stream().filter(t -> t.name().equals(topic))
            .flatMap(t -> t.partitions().stream()).toList())
        .compose(partitions -> pruner.pruneOnce(partitions, replayUnprocessed ? startedAt : null))
        .onComplete(ar -> {
          pruning = false;
          if (ar.failed()) {
            LOG.debug("outbox relay: pruning failed, will retry: {}", ar.cause().toString());
          } else if (ar.result() < PRUNE_BATCH) {
            lastPrune = now;
          }
        });
  }

  private Future<Boolean> becomeLeader() {
    if (leader) {
      return Future.succeededFuture(true);
    }
    Future<PgConnection> connection = lockConnection != null ? Future.succeededFuture(lockConnection)
        : PgConnection.connect(vertx, connectOptions).compose(conn -> {
          lockConnection = conn;
          // without a handler the client prints the server's goodbye (a stop's 57P01) as a stack trace
          conn.exceptionHandler(e -> LOG.debug("outbox relay: lock connection: {}", e.toString()));
          conn.closeHandler(v -> {
            // the session's advisory lock went with the connection
            lockConnection = null;
            leader = false;
            healer.reset();
            signal.leading(false);
          });
          return conn.query(NO_FLUSH_WAIT).execute().map(conn).onFailure(e -> conn.close());
        });
    return connection
        .compose(conn -> conn.preparedQuery(TRY_LOCK).execute(Tuple.of(lockKey)))
        .map(rows -> rows.iterator().next().getBoolean("locked"))
        .compose(locked -> {
          if (!locked) {
            return Future.succeededFuture(false);
          }
          leader = true;
          signal.leading(true);
          LOG.info("outbox relay is the leader");
          if (!replayUnprocessed) {
            return Future.succeededFuture(true);
          }
          List<String> names = groups.get();
          return pool.preparedQuery(UNSEND_UNPROCESSED).execute(Tuple.tuple()
              .addArrayOfString(names.toArray(String[]::new))
              .addArrayOfOffsetDateTime(owedFrom.all(names))).map(rows -> {
            if (rows.rowCount() > 0) {
              LOG.info("re-sending {} events the consumer groups had not processed", rows.rowCount());
            }
            return true;
          });
        });
  }

  /** A row's record headers: the event's, and its request's trace context when it kept one. */
  static Map<String, String> headers(Row row) {
    Map<String, String> headers = BlogEvent.headers(row.getUUID("event_id"), row.getString("event_type"));
    String traceparent = row.getString("traceparent");
    if (traceparent == null) {
      return headers;
    }
    Map<String, String> traced = new HashMap<>(headers);
    traced.put(Tracing.TRACEPARENT, traceparent);
    return traced;
  }

  // Sends batches until the outbox has nothing unsent.
  private Future<Void> relayAll() {
    PgConnection conn = lockConnection;
    if (conn == null) {
      return Future.failedFuture(new IllegalStateException("the relay lost its database session"));
    }
    return conn.preparedQuery(SELECT_UNSENT).execute(Tuple.of(batchSize)).compose(rows -> {
      if (rows.size() == 0 || stopped) {
        return Future.succeededFuture();
      }
      List<Future<RecordPosition>> sends = new ArrayList<>(rows.size());
      Long[] ids = new Long[rows.size()];
      int i = 0;
      for (Row row : rows) {
        ids[i++] = row.getLong("id");
        sends.add(stream.send(topic, row.getString("event_key"), headers(row), row.getBuffer("payload").getBytes()));
      }
      boolean full = rows.size() == batchSize;
      return Future.all(sends)
          .compose(v -> {
            Integer[] partitions = new Integer[ids.length];
            Long[] offsets = new Long[ids.length];
            for (int j = 0; j < ids.length; j++) {
              partitions[j] = sends.get(j).result().partition();
              offsets[j] = sends.get(j).result().offset();
            }
            return conn.preparedQuery(MARK_SENT).execute(Tuple.tuple().addArrayOfLong(ids)
                .addArrayOfInteger(partitions).addArrayOfLong(offsets));
          })
          .compose(v -> full ? relayAll() : Future.succeededFuture());
    });
  }
}
