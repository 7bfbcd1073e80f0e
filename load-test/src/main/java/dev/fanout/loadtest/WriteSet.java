package dev.fanout.loadtest;

import dev.fanout.counter.AuthorCounter;
import dev.fanout.db.Database;
import dev.fanout.db.TransactionBatcher;
import dev.fanout.events.BlogEvent;
import dev.fanout.outbox.OutboxRelay;
import dev.fanout.outbox.ProcessedEvents;
import dev.fanout.outbox.RelaySignal;
import dev.fanout.publisher.BlogDraft;
import dev.fanout.publisher.BlogStore;
import dev.fanout.search.SearchIndexer;
import dev.fanout.stream.KeyPartitioner;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the app writes per publish, done by the app's own code on the app's database, without HTTP and
 * without a stream; see {@link PostgresCeiling}. Each of {@code connections} writers publishes {@code perTx}
 * blogs at a time through its own {@link BlogStore} (one group of plain publishes: one multi-row insert of
 * blogs and one of outbox rows, in one transaction, as the app writes them). With the whole write set it
 * then applies them as the app's two consumer groups do ({@link AuthorCounter#apply}, and the search group's
 * {@link ProcessedEvents#record}), while one relay reads and marks the outbox rows with the
 * {@link OutboxRelay}'s own statements on a session like its own. A run ends when the writers' time is up and
 * the relay has marked every row, so its figures include all the work of every publish.
 *
 * <p>No NOTIFY: in one app process the relay leads and is woken in-process, so a publish does not notify.
 */
final class WriteSet {

  /** The relay's batch, as the app's default. */
  private static final int RELAY_BATCH = 500;
  /** The stream's partitions the relay's marks name, as the app's default. */
  private static final int PARTITIONS = 12;

  /** What a run did, over {@code seconds} of wall time. */
  record Result(long publishes, long transactions, double seconds, double pgCpuSeconds) {
  }

  private WriteSet() {
  }

  /**
   * Runs for {@code seconds}, then waits for the relay to catch up; blocks the calling thread (not a Vert.x
   * one) until the run is over.
   *
   * @param pgDir     the embedded server's data directory, to read its processes' CPU time
   * @param wholeSet  false for the publish transaction alone
   */
  static Result run(Vertx vertx, Database database, Path pgDir, int connections, int perTx, int seconds,
                    boolean wholeSet) throws Exception {
    LongAdder publishes = new LongAdder();
    LongAdder transactions = new LongAdder();
    Relay relay = wholeSet ? new Relay(vertx, database) : null;
    List<Writer> writers = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      writers.add(new Writer(vertx, database, relay, perTx, publishes, transactions));
    }
    // the clock starts once everyone is ready
    double cpuBefore = ProcCpu.postgres(pgDir.toString());
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    List<Future<Void>> done = new ArrayList<>();
    for (Writer writer : writers) {
      done.add(writer.done.future());
      writer.context.runOnContext(v -> writer.round(end));
    }
    Future<Void> all = Future.all(done).mapEmpty();
    if (relay != null) {
      all = all.compose(v -> relay.drain());
    }
    PostgresCeiling.await(all);
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new Result(publishes.sum(), transactions.sum(), elapsed, ProcCpu.postgres(pgDir.toString()) - cpuBefore);
  }

  /** One writer: a closed loop of publish groups, each applied by both groups when the whole set runs. */
  private static final class Writer {
    private final Context context;
    private final Database database;
    private final Relay relay;
    private final BlogStore store;
    private final AuthorCounter counter;
    private final int perTx;
    private final LongAdder publishes;
    private final LongAdder transactions;
    private final String body;
    final Promise<Void> done = Promise.promise();

    Writer(Vertx vertx, Database database, Relay relay, int perTx, LongAdder publishes, LongAdder transactions)
        throws Exception {
      this.context = newContext(vertx);
      this.database = database;
      this.relay = relay;
      // a store of its own, so that each group is this writer's perTx publishes and nobody else's
      this.store = new BlogStore(database.pool(), new TransactionBatcher(database.pool(), 1, 1, 1),
          RelaySignal.noRelay(vertx));
      this.counter = new AuthorCounter(database.pool());
      this.perTx = perTx;
      this.publishes = publishes;
      this.transactions = transactions;
      // about 1,300 characters, as capacity.sh posts; the publish-only mode varies them as the simulations do
      this.body = "a body of moderate length for the ceiling "
          .repeat(relay != null ? 31 : 30 + ThreadLocalRandom.current().nextInt(40));
    }

    // runs on this writer's context, until System.nanoTime() passes end
    void round(long end) {
      if (System.nanoTime() >= end) {
        done.complete();
        return;
      }
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int authors = relay != null ? 1_000 : 10_000;
      // all in one go: the first opens the store's group, the others join it before it starts
      List<Future<BlogEvent>> published = new ArrayList<>(perTx);
      for (int i = 0; i < perTx; i++) {
        published.add(store.publishEvent(new BlogDraft("author-" + random.nextInt(authors),
            "a title of a few words", body, List.of("load"))));
      }
      Future.all(published).compose(all -> {
        transactions.increment();
        publishes.add(perTx);
        if (relay == null) {
          return Future.<Void>succeededFuture();
        }
        relay.wake();
        List<BlogEvent> events = all.<BlogEvent>list();
        List<UUID> ids = events.stream().map(BlogEvent::eventId).toList();
        return counter.apply(events)
            .compose(v -> ProcessedEvents.record(database.pool(), SearchIndexer.GROUP, ids))
            .<Void>mapEmpty();
      }).onSuccess(v -> round(end)).onFailure(done::fail);
    }
  }

  /**
   * The outbox relay's database work: on its own session, which does not wait for the WAL flush, it reads
   * unsent rows a batch at a time and marks them with stream positions, woken after each commit.
   */
  private static final class Relay {
    private final Context context;
    private final Future<PgConnection> connection;
    private final String selectUnsent = OutboxRelay.SELECT_UNSENT;
    private final String markSent = OutboxRelay.MARK_SENT;
    // all accessed on this relay's context
    private final long[] nextOffset = new long[PARTITIONS];
    private boolean running;
    private boolean wokenWhileRunning;
    private Promise<Void> drained;

    Relay(Vertx vertx, Database database) throws Exception {
      this.context = newContext(vertx);
      Promise<PgConnection> connected = Promise.promise();
      String noFlushWait = OutboxRelay.NO_FLUSH_WAIT;
      context.runOnContext(v -> PgConnection.connect(vertx, database.connectOptions())
          .compose(conn -> conn.query(noFlushWait).execute().map(conn))
          .onComplete(connected));
      this.connection = connected.future();
      PostgresCeiling.await(connection);
    }

    /** From any thread: new rows are committed. */
    void wake() {
      context.runOnContext(v -> {
        if (running) {
          wokenWhileRunning = true;
          return;
        }
        running = true;
        relayAll().onComplete(ar -> {
          running = false;
          if (ar.failed()) {
            if (drained != null) {
              drained.tryFail(ar.cause());
            }
            return;
          }
          if (wokenWhileRunning) {
            wokenWhileRunning = false;
            wake();
          } else if (drained != null) {
            drained.tryComplete();
          }
        });
      });
    }

    /** Once no writer writes any more: succeeds when every row is marked, then closes the session. */
    Future<Void> drain() {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        drained = done;
        wake();
      });
      return done.future().eventually(() -> connection.result().close());
    }

    // Marks batches until nothing is unsent, as the app's relay does (its sends to the stream left out).
    private Future<Void> relayAll() {
      PgConnection conn = connection.result();
      return conn.preparedQuery(selectUnsent).execute(Tuple.of(RELAY_BATCH)).compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture();
        }
        Long[] ids = new Long[rows.size()];
        Integer[] partitions = new Integer[rows.size()];
        Long[] offsets = new Long[rows.size()];
        int i = 0;
        for (Row row : rows) {
          ids[i] = row.getLong("id");
          partitions[i] = KeyPartitioner.partition(row.getString("event_key"), PARTITIONS);
          offsets[i] = nextOffset[partitions[i]]++;
          i++;
        }
        boolean full = rows.size() == RELAY_BATCH;
        return conn.preparedQuery(markSent)
            .execute(Tuple.tuple().addArrayOfLong(ids).addArrayOfInteger(partitions).addArrayOfLong(offsets))
            .compose(v -> full ? relayAll() : Future.succeededFuture());
      });
    }
  }

  // A context of its own on the next event loop (the contexts a plain thread creates all share one loop).
  private static Context newContext(Vertx vertx) throws Exception {
    Promise<Context> created = Promise.promise();
    PostgresCeiling.await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        created.complete(context);
        return Future.succeededFuture();
      }
    }));
    return PostgresCeiling.await(created.future());
  }

}
