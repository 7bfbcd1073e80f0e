package dev.fanout.db;

import static dev.fanout.app.RunningApp.await;
import static dev.fanout.app.RunningApp.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.core.Refusal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Group commit on a real PostgreSQL: who shares a transaction, and who fails with whom. */
class TransactionBatcherTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();

  private static final String INSERT = "INSERT INTO batch_probe (id) VALUES ($1)";

  @BeforeAll
  static void createTable() throws Exception {
    onFreshConnection("CREATE TABLE batch_probe (id int PRIMARY KEY)", Tuple.tuple());
  }

  // Checks and setup go through a connection of their own: two tests end the session of a pooled
  // connection, and the pool may hand that connection out once more before it notices it is closed.
  private static RowSet<Row> onFreshConnection(String sql, Tuple arguments) throws Exception {
    return await(PgConnection.connect(DB.vertx(), DB.database().connectOptions())
        .compose(conn -> conn.preparedQuery(sql).execute(arguments).eventually(conn::close)));
  }

  private final List<Pool> pools = new ArrayList<>();

  // Each test's batcher has a pool of its own: a test that ends a pooled connection's session must not
  // leave that connection to the next test's batcher.
  private TransactionBatcher newBatcher(int maxWaiting) {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(DB.database().connectOptions()).using(DB.vertx()).build();
    pools.add(pool);
    return new TransactionBatcher(pool, 64, 1, maxWaiting);
  }

  @AfterEach
  void closePools() throws Exception {
    for (Pool pool : pools) {
      await(pool.close());
    }
  }

  // The batcher is used from one context, as the app uses it from its HTTP verticle's.
  private static <T> List<Future<T>> onOneContext(Supplier<List<Future<T>>> submits) throws Exception {
    Context context = DB.vertx().getOrCreateContext();
    CompletableFuture<List<Future<T>>> submitted = new CompletableFuture<>();
    context.runOnContext(v -> submitted.complete(submits.get()));
    return submitted.get(30, TimeUnit.SECONDS);
  }

  private static Function<SqlConnection, Future<Long>> insertAndTellTransaction(int id) {
    return conn -> conn.preparedQuery(INSERT).execute(Tuple.of(id))
        .compose(v -> conn.query("SELECT txid_current() AS tx").execute())
        .map(rows -> rows.iterator().next().getLong("tx"));
  }

  private static boolean stored(int id) throws Exception {
    return onFreshConnection("SELECT 1 FROM batch_probe WHERE id = $1", Tuple.of(id)).size() == 1;
  }


  @Test
  void unitsThatArriveWhileATransactionRunsShareTheNextOne() throws Exception {
    TransactionBatcher batcher = newBatcher(1000);
    List<Future<Long>> units = onOneContext(() -> {
      List<Future<Long>> list = new ArrayList<>();
      for (int id = 100; id < 110; id++) {
        list.add(batcher.submit(insertAndTellTransaction(id)));
      }
      return list;
    });
    List<Long> transactions = new ArrayList<>();
    for (Future<Long> unit : units) {
      transactions.add(await(unit));
    }
    assertThat(transactions.subList(1, 10)).as("the nine that waited share one transaction").containsOnly(transactions.get(1));
    assertThat(transactions.get(0)).as("the first ran at once, alone").isNotEqualTo(transactions.get(1));
    for (int id = 100; id < 110; id++) {
      assertThat(stored(id)).isTrue();
    }
  }

  // A batcher that could run four transactions at once, paced: what arrives within the gap after a start
  // waits for one transaction of its own instead of taking the three idle ones.
  private TransactionBatcher newPacedBatcher(int maxBatch, long minGapMicros) {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(DB.database().connectOptions()).using(DB.vertx()).build();
    pools.add(pool);
    return new TransactionBatcher(pool, maxBatch, 4, 1000).paced(DB.vertx(), minGapMicros);
  }

  @Test
  void pacedUnitsThatArriveWithinTheGapShareOneTransactionThoughOthersCouldRun() throws Exception {
    // the first goes at once; the gap (300 ms) holds the other five together although three more
    // transactions could start
    TransactionBatcher batcher = newPacedBatcher(64, 300_000);
    List<Future<Long>> units = onOneContext(() -> {
      List<Future<Long>> list = new ArrayList<>();
      for (int id = 800; id < 806; id++) {
        list.add(batcher.submit(insertAndTellTransaction(id)));
      }
      return list;
    });
    List<Long> transactions = new ArrayList<>();
    for (Future<Long> unit : units) {
      transactions.add(await(unit));
    }
    assertThat(transactions.subList(1, 6)).as("the five held back share one transaction").containsOnly(transactions.get(1));
    assertThat(transactions.get(0)).as("the first ran at once, alone").isNotEqualTo(transactions.get(1));
    for (int id = 800; id < 806; id++) {
      assertThat(stored(id)).isTrue();
    }
  }

  @Test
  void aFullBatchIsNotHeldBackByThePacing() throws Exception {
    // a gap of ten minutes: only a full batch (three) can start before the test's bound
    TransactionBatcher batcher = newPacedBatcher(3, TimeUnit.MINUTES.toMicros(10));
    List<Future<Long>> units = onOneContext(() -> {
      List<Future<Long>> list = new ArrayList<>();
      for (int id = 900; id < 904; id++) {
        list.add(batcher.submit(insertAndTellTransaction(id)));
      }
      return list;
    });
    long first = await(units.get(0));
    long full = await(units.get(1));
    assertThat(List.of(await(units.get(2)), await(units.get(3)))).as("a full batch went at once").containsOnly(full);
    assertThat(full).isNotEqualTo(first);
    assertThat(stored(903)).isTrue();
  }

  @Test
  void aRefusedUnitFailsAloneAndTheOthersOfItsTransactionCommit() throws Exception {
    TransactionBatcher batcher = newBatcher(1000);
    Refusal refusal = Refusal.notFound("blog 42");
    List<Future<Long>> units = onOneContext(() -> List.of(
        batcher.submit(insertAndTellTransaction(200)),
        batcher.submit(insertAndTellTransaction(201)),
        batcher.submit(conn -> Future.failedFuture(refusal)),
        batcher.submit(insertAndTellTransaction(203))));
    assertThat(failure(units.get(2))).isSameAs(refusal);
    assertThat(await(units.get(1))).as("shared with the refused one").isEqualTo(await(units.get(3)));
    assertThat(stored(200)).isTrue();
    assertThat(stored(201)).isTrue();
    assertThat(stored(203)).isTrue();
  }

  @Test
  void aUnitTheDatabaseRejectsFailsAloneWithItsErrorAndTheOthersCommitWithoutIt() throws Exception {
    TransactionBatcher batcher = newBatcher(1000);
    List<Future<Long>> units = onOneContext(() -> List.of(
        batcher.submit(insertAndTellTransaction(300)),
        batcher.submit(insertAndTellTransaction(301)),
        batcher.submit(insertAndTellTransaction(300)), // a duplicate key: the database rejects it
        batcher.submit(insertAndTellTransaction(303))));
    await(units.get(0));
    assertThat(failure(units.get(2))).as("the rejected unit, with the database's own error")
        .isInstanceOf(PgException.class).hasMessageContaining("duplicate key");
    assertThat(await(units.get(1))).as("run again in a transaction of its own")
        .isNotEqualTo(await(units.get(3)));
    assertThat(stored(301)).isTrue();
    assertThat(stored(303)).isTrue();
  }

  @Test
  void aConnectionLostBeforeCommitMeansNothingWasWritten() throws Exception {
    TransactionBatcher batcher = newBatcher(1000);
    List<Future<Long>> units = onOneContext(() -> List.of(
        batcher.submit(conn -> conn.preparedQuery(INSERT).execute(Tuple.of(500))
            .compose(v -> conn.query("SELECT pg_terminate_backend(pg_backend_pid())").execute())
            .map(v -> 0L))));
    Throwable failure = failure(units.get(0));
    assertThat(failure).isInstanceOf(Refusal.class);
    assertThat(((Refusal) failure).kind()).isEqualTo(Refusal.Kind.UNAVAILABLE);
    assertThat(((Refusal) failure).code()).isEqualTo("database_unavailable");
    assertThat(stored(500)).isFalse();
  }

  @Test
  void aConnectionLostWhileCommittingLeavesTheOutcomeUnknown() throws Exception {
    // a deferred trigger runs inside COMMIT; ending its own session there loses COMMIT's answer
    onFreshConnection("CREATE FUNCTION end_session() RETURNS trigger LANGUAGE plpgsql AS "
        + "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$", Tuple.tuple());
    onFreshConnection("CREATE CONSTRAINT TRIGGER end_session_at_commit AFTER INSERT ON batch_probe "
        + "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.id = 600) EXECUTE FUNCTION end_session()",
        Tuple.tuple());
    TransactionBatcher batcher = newBatcher(1000);
    List<Future<Long>> units = onOneContext(() -> List.of(batcher.submit(insertAndTellTransaction(600))));
    Throwable failure = failure(units.get(0));
    assertThat(failure).isInstanceOf(Refusal.class);
    assertThat(((Refusal) failure).code()).isEqualTo("outcome_unknown");
    assertThat(failure.getMessage()).contains("may or may not be stored");
  }

  @Test
  void beyondTheQueueBoundASubmitIsRefusedAtOnceAsOverloaded() throws Exception {
    TransactionBatcher batcher = newBatcher(2);
    List<Future<Long>> units = onOneContext(() -> List.of(
        batcher.submit(insertAndTellTransaction(400)), // running
        batcher.submit(insertAndTellTransaction(401)), // waiting
        batcher.submit(insertAndTellTransaction(402)), // waiting
        batcher.submit(insertAndTellTransaction(403))));
    assertThat(units.get(3).failed()).as("refused before anything ran").isTrue();
    assertThat(((Refusal) units.get(3).cause()).kind()).isEqualTo(Refusal.Kind.OVERLOADED);
    for (int i = 0; i < 3; i++) {
      await(units.get(i));
    }
    assertThat(stored(403)).isFalse();
  }
}
