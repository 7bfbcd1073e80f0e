package dev.fanout.stream.memory;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default byte retention of the in-memory backend: a share of the JVM's maximum heap ({@code -Xmx}), split
 * evenly over every partition of every in-memory stream of the JVM that keeps the default. Each partition's
 * limit is set again whenever partitions come (a topic is created) or go (a topic is deleted, a stream
 * closes), so that however many there are, together they keep about the share, never more.
 *
 * <p>Thread-safe: guarded by this object's monitor; it takes a log's monitor inside its own, never the reverse.
 */
final class HeapBudget {

  /** The budget of this JVM. */
  static final HeapBudget JVM = new HeapBudget(Runtime.getRuntime().maxMemory());

  private final long maxHeap;
  // every partition under a budget, with the heap share of its stream; guarded by this
  private final Map<PartitionLog, Double> shares = new IdentityHashMap<>();

  HeapBudget(long maxHeap) {
    this.maxHeap = maxHeap;
  }

  /** Puts {@code logs} under the budget with {@code share} of the heap, and sets every partition's limit again. */
  synchronized void add(List<PartitionLog> logs, double share) {
    for (PartitionLog log : logs) {
      shares.put(log, share);
    }
    split();
  }

  /** Takes {@code logs} out of the budget, and gives what they kept to the other partitions. */
  synchronized void remove(List<PartitionLog> logs) {
    for (PartitionLog log : logs) {
      shares.remove(log);
    }
    split();
  }

  /** Partitions under the budget now. */
  synchronized int partitions() {
    return shares.size();
  }

  /** The byte limit of one partition of a stream with {@code share}, were {@code partitions} under the budget. */
  long perPartition(double share, int partitions) {
    return Math.max(1, (long) (share * maxHeap) / Math.max(1, partitions));
  }

  private void split() {
    int partitions = shares.size();
    shares.forEach((log, share) -> log.limitBytes(perPartition(share, partitions)));
  }
}
