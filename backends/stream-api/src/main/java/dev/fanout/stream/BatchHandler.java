package dev.fanout.stream;

import io.vertx.core.Future;
import java.util.List;

/**
 * Handles records of one partition, in offset order.
 *
 * <p>Contract: each call receives a non-empty list of at most {@code maxBatchSize} consecutive records of a
 * single partition. A member hands out at most {@link SubscribeOptions#maxBatchesInFlight()} batches of one
 * partition whose futures have not completed, in offset order: each batch starts after the previous one's
 * last record. With the default of 1, the next batch of a partition is delivered only after the previous
 * batch's future completed.
 *
 * <p>Commits. Batches of one partition may complete in any order. The committed offset advances to the end
 * of the longest run of successfully completed batches that starts at it; a batch that completes after a
 * gap is held until every batch before it succeeded. Commits may be coalesced, but are made promptly (at
 * most about one poll interval later) and always before {@link GroupMember#leave()} completes.
 *
 * <p>Failures. When a batch fails, its partition hands out nothing more. Once every batch of the partition
 * still in flight has completed, the partition goes back to the committed offset (the end of the
 * successful prefix) and, after {@code retryDelayMs}, delivers again from there: the failed batch, and
 * also the batches after it that succeeded (at-least-once). When the member crashes, its batches in flight
 * are abandoned and commit nothing. Handlers therefore see every record at least once and must be
 * idempotent.
 *
 * <p>Pausing, leaving and rebalancing: see {@link GroupMember}; batches in flight always finish and commit
 * their prefix first, except on a crash.
 *
 * <p>Called on the Vert.x context that subscribed; must not block.
 */
@FunctionalInterface
public interface BatchHandler {

  Future<Void> handle(List<StreamRecord> batch);

  /** A batch handler that hands records one by one to {@code handler}, waiting for each. */
  static BatchHandler perRecord(RecordHandler handler) {
    return batch -> {
      Future<Void> chain = Future.succeededFuture();
      for (StreamRecord record : batch) {
        chain = chain.compose(v -> handler.handle(record));
      }
      return chain;
    };
  }
}
