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
 * that completes only when the test calls {@link #releaseAll()}, or {@link #complete} for that batch; every
 * other batch succeeds at once.
 *
 * <p>Thread-safe: handlers call it on their contexts, the test thread reads and releases; every field
 * is guarded by {@code this}.
 */
final class HeldBatches {

  private final Predicate<List<StreamRecord>> hold;
  // per partition, the latest batch held
  private final Map<Integer, List<StreamRecord>> held = new TreeMap<>();
  private final List<Runnable> releases = new ArrayList<>();
  // every batch held and not completed yet, in the order they arrived
  private final List<Pending> pending = new ArrayList<>();

  private record Pending(List<StreamRecord> batch, Context context, Promise<Void> promise) {
  }

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
        pending.add(new Pending(List.copyOf(batch), context, promise));
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
      pending.clear();
    }
    now.forEach(Runnable::run);
  }

  /** The first offsets of the batches of {@code partition} held and not completed, in the order they arrived. */
  synchronized List<Long> pendingFirstOffsets(int partition) {
    return pending.stream().filter(p -> p.batch().get(0).partition() == partition)
        .map(p -> p.batch().get(0).offset()).toList();
  }

  /**
   * Completes the held batch of {@code partition} that starts at {@code firstOffset}, successfully or with a
   * failure, on its handler's context.
   *
   * @throws AssertionError when no such batch is held
   */
  void complete(int partition, long firstOffset, boolean succeed) {
    Pending found;
    synchronized (this) {
      found = pending.stream()
          .filter(p -> p.batch().get(0).partition() == partition && p.batch().get(0).offset() == firstOffset)
          .findFirst().orElseThrow(() -> new AssertionError("no batch of partition " + partition
              + " at offset " + firstOffset + " is held; held: " + pending));
      pending.remove(found);
    }
    found.context().runOnContext(v -> {
      if (succeed) {
        found.promise().tryComplete();
      } else {
        found.promise().tryFail("batch at offset " + firstOffset + " failed on purpose");
      }
    });
  }
}
