package dev.fanout.stream;

import io.vertx.core.Future;
import java.util.List;

/**
 * Handles records of one partition, in offset order.
 *
 * <p>Contract: each call receives a non-empty list of consecutive records of a single partition. The
 * next batch of that partition is not delivered before the returned future completes. When it
 * succeeds, the offset after the batch's last record is committed; when it fails (or the member
 * crashes first), nothing of the batch is committed and the records are delivered again, from the
 * last committed offset. Handlers therefore see every record at least once and must be idempotent.
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
