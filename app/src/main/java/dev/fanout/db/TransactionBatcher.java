package dev.fanout.db;

import dev.fanout.core.Refusal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs many small units of work in shared transactions (group commit): one commit, and one fsync, for a
 * whole batch. Under light load each unit gets a transaction of its own at once; under heavy load the
 * units that arrive while {@code maxConcurrent} transactions are running wait and share the next one.
 *
 * <p>A unit that fails with a {@link Refusal} (such as "not found") fails alone and the others commit; any
 * other failure rolls the whole batch back and fails every unit in it. Units learn their outcome only
 * after the commit.
 *
 * <p>Not thread-safe: use it from one Vert.x context. The queue is bounded: beyond {@code maxQueued}
 * waiting units, {@link #submit} fails at once with an {@link Refusal.Kind#OVERLOADED} refusal. When the
 * database does not take a batch, its units fail with an {@link Refusal.Kind#UNAVAILABLE} one.
 */
public final class TransactionBatcher {

  private record Unit<T>(Function<SqlConnection, Future<T>> work, Promise<T> promise) {
  }

  private final Pool pool;
  private final int maxBatch;
  private final int maxConcurrent;
  private final int maxQueued;
  // accessed on the owning context only
  private final ArrayDeque<Unit<?>> queue = new ArrayDeque<>();
  private int running;

  public TransactionBatcher(Pool pool, int maxBatch, int maxConcurrent, int maxQueued) {
    this.pool = pool;
    this.maxBatch = maxBatch;
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
  }

  /** Runs {@code work} inside a shared transaction; the future completes after that transaction ends. */
  public <T> Future<T> submit(Function<SqlConnection, Future<T>> work) {
    if (queue.size() >= maxQueued) {
      return Future.failedFuture(new Refusal(Refusal.Kind.OVERLOADED, "overloaded",
          "too many writes are waiting; retry later", null));
    }
    Promise<T> promise = Promise.promise();
    queue.add(new Unit<>(work, promise));
    startBatches();
    return promise.future();
  }

  private void startBatches() {
    while (running < maxConcurrent && !queue.isEmpty()) {
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

  private Future<Void> run(List<Unit<?>> batch) {
    List<Future<?>> outcomes = new ArrayList<>(batch.size());
    Future<Void> transaction = pool.withTransaction(conn -> {
      for (Unit<?> unit : batch) {
        outcomes.add(start(unit, conn));
      }
      return Future.join(outcomes).transform(joined -> {
        for (Future<?> outcome : outcomes) {
          if (outcome.failed() && !(outcome.cause() instanceof Refusal)) {
            return Future.failedFuture(outcome.cause());
          }
        }
        return Future.succeededFuture();
      });
    });
    return transaction.transform(ar -> {
      for (int i = 0; i < batch.size(); i++) {
        if (ar.succeeded()) {
          complete(batch.get(i), outcomes.get(i));
        } else {
          batch.get(i).promise().fail(unavailable(ar.cause()));
        }
      }
      return Future.succeededFuture();
    });
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

  private static Throwable unavailable(Throwable cause) {
    if (cause instanceof Refusal) {
      return cause;
    }
    return new Refusal(Refusal.Kind.UNAVAILABLE, "database_unavailable",
        "the database did not accept the write; retry later", null);
  }
}
