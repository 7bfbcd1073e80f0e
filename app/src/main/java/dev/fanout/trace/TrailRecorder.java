package dev.fanout.trace;

import dev.fanout.consumer.GroupTrail;
import dev.fanout.outbox.EventAttempts;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups' {@link GroupTrail} in PostgreSQL ({@link EventAttempts}), so that every instance answers a
 * trace the same. Writes run one after the other, in the order they were told, so that a dead-lettering
 * is never overtaken by an earlier failed attempt. A failed attempt is only a count: when
 * {@value #MAX_WAITING} writes already wait (the database is slow or down), it is dropped rather than
 * queued, and the trace shows fewer attempts than there were. Dead-letterings and replays always wait
 * their turn. Thread-safe.
 */
public final class TrailRecorder implements GroupTrail {

  private static final Logger LOG = LoggerFactory.getLogger(TrailRecorder.class);
  static final int MAX_WAITING = 1000;

  private final Pool pool;
  private final AtomicInteger waiting = new AtomicInteger();
  // guarded by this: the newest write, which the next one follows
  private Future<Void> last = Future.succeededFuture();

  public TrailRecorder(Pool pool) {
    this.pool = pool;
  }

  @Override
  public void failed(String group, List<UUID> eventIds, Throwable error) {
    if (eventIds.isEmpty() || waiting.get() >= MAX_WAITING) {
      return;
    }
    String message = describe(error);
    inTurn(() -> EventAttempts.failed(pool, group, eventIds, message));
  }

  @Override
  public Future<Void> deadLettered(String group, UUID eventId, int attempts, Throwable error) {
    String message = describe(error);
    return inTurn(() -> EventAttempts.deadLettered(pool, group, eventId, attempts, message));
  }

  @Override
  public Future<Void> replayed(String group, List<UUID> eventIds) {
    return eventIds.isEmpty() ? Future.succeededFuture() : inTurn(() -> EventAttempts.replayed(pool, group, eventIds));
  }

  private synchronized Future<Void> inTurn(Supplier<Future<Void>> write) {
    waiting.incrementAndGet();
    last = last.transform(previous -> write.get()).transform(ar -> {
      waiting.decrementAndGet();
      if (ar.failed()) {
        LOG.debug("a group's trail could not be written: {}", ar.cause().toString());
      }
      return Future.succeededFuture();
    });
    return last;
  }

  /** How an error reads in a trace: {@link PublicFailure}'s code and short text, nothing of its internals. */
  static String describe(Throwable error) {
    return PublicFailure.of(error);
  }
}
