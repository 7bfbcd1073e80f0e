package dev.fanout.db;

import dev.fanout.core.Refusal;
import dev.fanout.core.StartGap;
import dev.fanout.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs many small units of work in shared transactions (group commit): one commit, and one fsync, for a
 * whole batch. Under light load each unit gets a transaction of its own at once; under heavy load the
 * units that arrive while {@code maxConcurrent} transactions are running wait and share the next one.
 *
 * <p>Outcomes, each known only after the transaction ended:
 * <ul>
 *   <li>A unit that fails with a {@link Refusal} (such as "not found") fails alone and the others commit.
 *       A unit must refuse before it writes anything: its writes would commit with the others.</li>
 *   <li>A unit that fails otherwise (a statement the database rejects, a broken connection) spoils its
 *       transaction, which is rolled back; its units are then run again, each in a transaction of its own,
 *       so that only the failing one fails: with the database's own error when it rejected the statement
 *       (running it again cannot help), else as below. A unit's work must therefore be safe to run again
 *       after a rollback.</li>
 *   <li>When the database cannot be reached or the connection breaks before COMMIT is sent, nothing is
 *       written: the units fail with an {@link Refusal.Kind#UNAVAILABLE} refusal, code
 *       {@code database_unavailable}.</li>
 *   <li>When the connection breaks after COMMIT was sent and before its answer, the outcome is unknown:
 *       the units fail with an {@link Refusal.Kind#UNAVAILABLE} refusal, code {@code outcome_unknown}, and
 *       are not run again (that could write them twice).</li>
 * </ul>
 *
 * <p>With tracing on, each transaction is one INTERNAL span of its own (a root, named as the constructor
 * says), made when it ended, with a link to the span of every request its units carry (see
 * {@link #submit(Function, Supplier)}) and {@value #CARRIED} counting them: one commit carries many requests,
 * so it can be the child of none, and nothing per request is its child. A span that did not commit has an
 * error status. The SDK keeps at most its link limit ({@code OTEL_SPAN_LINK_COUNT_LIMIT}, 128 by default) of
 * the links; the count stays whole.
 *
 * <p>Paced (see {@link #paced}): a transaction starts at least a given time after the previous one started,
 * unless a full batch waits, so that at moderate rates the units share fewer, larger transactions instead of
 * one each; a unit that arrives after a quiet spell still starts at once.
 *
 * <p>Not thread-safe: use it from one Vert.x context. The queue is bounded: beyond {@code maxQueued}
 * waiting units, {@link #submit} fails at once with an {@link Refusal.Kind#OVERLOADED} refusal.
 */
public final class TransactionBatcher {

  /** The attribute of a transaction's span that counts the requests its units carried. */
  public static final String CARRIED = "fanout.publishes";
  private static final AttributeKey<Long> CARRIED_KEY = AttributeKey.longKey(CARRIED);

  // carried: null when the unit carries no traced request (or tracing is off)
  private record Unit<T>(Function<SqlConnection, Future<T>> work, Supplier<List<SpanContext>> carried,
                         Promise<T> promise) {
  }

  /** How one transaction of units ended. */
  private enum Ending { COMMITTED, UNIT_FAILED, NOT_WRITTEN, UNKNOWN }

  private record Attempt(Ending ending, List<Future<?>> outcomes, Throwable cause) {
  }

  private final Pool pool;
  private final int maxBatch;
  private final int maxConcurrent;
  private final int maxQueued;
  private final Tracing tracing;
  private final String spanName;
  // accessed on the owning context only
  private final ArrayDeque<Unit<?>> queue = new ArrayDeque<>();
  private int running;
  private StartGap gap = StartGap.none();

  public TransactionBatcher(Pool pool, int maxBatch, int maxConcurrent, int maxQueued) {
    this(pool, maxBatch, maxConcurrent, maxQueued, Tracing.off(), null);
  }

  /** A batcher whose transactions are spans named {@code spanName} when {@code tracing} is on. */
  public TransactionBatcher(Pool pool, int maxBatch, int maxConcurrent, int maxQueued, Tracing tracing,
                            String spanName) {
    this.tracing = tracing;
    this.spanName = spanName;
    this.pool = pool;
    this.maxBatch = maxBatch;
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
  }

  /**
   * Paces this batcher's transactions: each starts at least {@code minGapMicros} after the previous one
   * started, unless a full batch waits; a timer of {@code vertx} starts the one held back. Call before the
   * first {@link #submit}, from the batcher's context. 0: no pacing.
   *
   * @return this batcher
   */
  public TransactionBatcher paced(Vertx vertx, long minGapMicros) {
    this.gap = StartGap.of(vertx, minGapMicros);
    return this;
  }

  /**
   * Runs {@code work} inside a shared transaction; the future completes after that transaction ends (see
   * the class comment for the outcomes). {@code work} may run twice: after a rollback caused by another unit.
   */
  public <T> Future<T> submit(Function<SqlConnection, Future<T>> work) {
    return submit(work, null);
  }

  /**
   * Runs {@code work} as {@link #submit(Function)} does, carrying requests: {@code carried} gives the span
   * contexts of the requests whose writes the unit makes (an invalid one for a request that was not traced),
   * and is asked once the unit has run, each time its transaction ends, only with tracing on. Null: none.
   */
  public <T> Future<T> submit(Function<SqlConnection, Future<T>> work, Supplier<List<SpanContext>> carried) {
    if (queue.size() >= maxQueued) {
      return Future.failedFuture(Refusal.overloaded());
    }
    Promise<T> promise = Promise.promise();
    queue.add(new Unit<>(work, carried, promise));
    startBatches();
    return promise.future();
  }

  private void startBatches() {
    while (running < maxConcurrent && !queue.isEmpty()) {
      if (queue.size() >= maxBatch) {
        gap.started();
      } else if (!gap.tryStart(this::startBatches)) {
        return;
      }
      List<Unit<?>> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
      while (batch.size() < maxBatch && !queue.isEmpty()) {
        batch.add(queue.poll());
      }
      running++;
      run(batch).onComplete(ar -> {
        running--;
        startBatches();
      });
    }
  }

  // One transaction for the batch; when a unit spoiled it, one transaction per unit, one after the other.
  private Future<Void> run(List<Unit<?>> batch) {
    return transact(batch).compose(attempt -> {
      if (attempt.ending() == Ending.UNIT_FAILED && batch.size() > 1) {
        Future<Void> alone = Future.succeededFuture();
        for (Unit<?> unit : batch) {
          alone = alone.compose(v -> run(List.of(unit)));
        }
        return alone;
      }
      for (int i = 0; i < batch.size(); i++) {
        finish(batch.get(i), attempt, i);
      }
      return Future.succeededFuture();
    });
  }

  private Future<Attempt> transact(List<Unit<?>> batch) {
    if (!tracing.on()) {
      return attempt(batch);
    }
    Instant began = Instant.now();
    return attempt(batch).onSuccess(attempt -> span(batch, began, attempt));
  }

  private void span(List<Unit<?>> batch, Instant began, Attempt attempt) {
    // made at the end, when the units have said what they carried; a root: see the class comment
    SpanBuilder builder = tracing.tracer().spanBuilder(spanName).setNoParent().setSpanKind(SpanKind.INTERNAL)
        .setStartTimestamp(began);
    long carried = 0;
    for (Unit<?> unit : batch) {
      if (unit.carried() == null) {
        continue;
      }
      for (SpanContext request : unit.carried().get()) {
        carried++;
        if (request.isValid()) {
          builder.addLink(request);
        }
      }
    }
    Span span = builder.setAttribute(CARRIED_KEY, carried).startSpan();
    // no exception recorded: a database error may quote the rows' data
    if (attempt.ending() != Ending.COMMITTED) {
      span.setStatus(StatusCode.ERROR, attempt.ending() == Ending.UNKNOWN ? "outcome unknown" : "not committed");
    }
    span.end();
  }

  private Future<Attempt> attempt(List<Unit<?>> batch) {
    List<Future<?>> outcomes = new ArrayList<>(batch.size());
    return pool.getConnection().compose(conn -> conn.begin().compose(tx -> {
      for (Unit<?> unit : batch) {
        outcomes.add(start(unit, conn));
      }
      return Future.join(outcomes).transform(joined -> {
        for (Future<?> outcome : outcomes) {
          if (outcome.failed() && !(outcome.cause() instanceof Refusal)) {
            return tx.rollback().transform(r ->
                Future.succeededFuture(new Attempt(Ending.UNIT_FAILED, outcomes, outcome.cause())));
          }
        }
        // an error answer to COMMIT means it did not commit; no answer at all leaves the outcome unknown
        return tx.commit().transform(committed -> Future.succeededFuture(committed.succeeded()
            ? new Attempt(Ending.COMMITTED, outcomes, null)
            : new Attempt(committed.cause() instanceof PgException ? Ending.UNIT_FAILED : Ending.UNKNOWN,
                outcomes, committed.cause())));
      });
    }).eventually(conn::close)).recover(e -> Future.succeededFuture(new Attempt(Ending.NOT_WRITTEN, outcomes, e)));
  }

  private static void finish(Unit<?> unit, Attempt attempt, int index) {
    switch (attempt.ending()) {
      case COMMITTED -> complete(unit, attempt.outcomes().get(index));
      case UNIT_FAILED -> unit.promise().fail(rejected(attempt.cause()) ? attempt.cause() : notWritten());
      case NOT_WRITTEN -> unit.promise().fail(notWritten());
      case UNKNOWN -> unit.promise().fail(new Refusal(Refusal.Kind.UNAVAILABLE, "outcome_unknown",
          "the database did not confirm the write: it may or may not be stored; retry with the same "
              + "Idempotency-Key to find out (a retry without one may store it twice)", null));
    }
  }

  private static <T> Future<T> start(Unit<T> unit, SqlConnection conn) {
    try {
      return unit.work().apply(conn);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Unit<T> unit, Future<?> outcome) {
    unit.promise().handle((io.vertx.core.AsyncResult<T>) outcome);
  }

  // The database answered that it will not run this write (bad data, a broken constraint, a bug in a
  // statement): running it again cannot help. Connection trouble, a shutdown, exhausted resources and a
  // transaction rolled back by the server (classes 08, 57, 53, 40) say nothing about the write.
  private static boolean rejected(Throwable failure) {
    if (!(failure instanceof PgException pg) || pg.getSqlState() == null || pg.getSqlState().length() < 2) {
      return false;
    }
    return switch (pg.getSqlState().substring(0, 2)) {
      case "08", "57", "53", "40" -> false;
      default -> true;
    };
  }

  private static Refusal notWritten() {
    return new Refusal(Refusal.Kind.UNAVAILABLE, "database_unavailable",
        "the database did not take the write, nothing was written; retry later", null);
  }
}
