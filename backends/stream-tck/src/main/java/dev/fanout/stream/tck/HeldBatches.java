package dev.fanout.stream.tck;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.StreamRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A handler behaviour that keeps some batches in flight: a batch matching the predicate gets a future
 * that completes only when the test calls {@link #releaseAll()}; every other batch succeeds at once.
 *
 * <p>Thread-safe: handlers call it on their contexts, the test thread reads and releases; every field
 * is guarded by {@code this}.
 */
final class HeldBatches {

  private final Predicate<List<StreamRecord>> hold;
  // per partition, the latest batch held; a partition has at most one batch in flight
  private final Map<Integer, List<StreamRecord>> held = new TreeMap<>();
  private final List<Runnable> releases = new ArrayList<>();

  HeldBatches(Predicate<List<StreamRecord>> hold) {
    this.hold = hold;
  }

  BatchHandler behaviour() {
    return batch -> {
      if (!hold.test(batch)) {
        return Future.succeededFuture();
      }
      Promise<Void> promise = Promise.promise();
      Context context = Vertx.currentContext();
      synchronized (this) {
        held.put(batch.get(0).partition(), List.copyOf(batch));
        // complete on the handler's own context, as a real asynchronous handler would
        releases.add(() -> context.runOnContext(v -> promise.tryComplete()));
      }
      return promise.future();
    };
  }

  synchronized Map<Integer, List<StreamRecord>> held() {
    return new TreeMap<>(held);
  }

  /** Per partition, the offset of the first record of the batch held there. */
  synchronized Map<Integer, Long> firstHeldOffsets() {
    Map<Integer, Long> offsets = new TreeMap<>();
    held.forEach((partition, batch) -> offsets.put(partition, batch.get(0).offset()));
    return offsets;
  }

  /** Per partition, the offset of the last record of the batch held there. */
  synchronized Map<Integer, Long> lastHeldOffsets() {
    Map<Integer, Long> offsets = new TreeMap<>();
    held.forEach((partition, batch) -> offsets.put(partition, batch.get(batch.size() - 1).offset()));
    return offsets;
  }

  /** Completes every held batch successfully; batches arriving later are held again. */
  void releaseAll() {
    List<Runnable> now;
    synchronized (this) {
      now = new ArrayList<>(releases);
      releases.clear();
    }
    now.forEach(Runnable::run);
  }
}
