package dev.fanout.publisher;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code idempotency_keys} from growing without end: a key answers its retries for {@code keep}
 * after its first use, then goes (oldest first, {@code batch} a statement, every {@code every}). A retry
 * after that is a new publish. Instances may all run one: rows another instance is deleting are skipped.
 */
public final class IdempotencyKeyPruner extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyKeyPruner.class);
  private static final String PRUNE =
      "DELETE FROM idempotency_keys WHERE idem_key IN (SELECT idem_key FROM idempotency_keys "
          + "WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)";

  private final Pool pool;
  private final Duration keep;
  private final int batch;
  private final Duration every;
  private long timer = -1;
  private boolean running;

  public IdempotencyKeyPruner(Pool pool, Duration keep, int batch, Duration every) {
    this.pool = pool;
    this.keep = keep;
    this.batch = batch;
    this.every = every;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(every.toMillis(), id -> pruneAll());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Deletes up to {@code batch} keys older than the kept window; the number deleted. */
  public Future<Integer> pruneOnce() {
    OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minus(keep);
    return pool.preparedQuery(PRUNE).execute(Tuple.of(before, batch)).map(rows -> rows.rowCount());
  }

  // Batch after batch until one is not full; one round at a time.
  private void pruneAll() {
    if (running) {
      return;
    }
    running = true;
    next().onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("pruning idempotency keys failed; trying again later: {}", ar.cause().getMessage());
      }
    });
  }

  private Future<Void> next() {
    return pruneOnce().compose(deleted -> deleted == batch ? next() : Future.succeededFuture());
  }
}
