package dev.fanout.stream.memory;

import dev.fanout.stream.KeyPartitioner;
import dev.fanout.stream.RecordPosition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A topic of the in-memory backend: its partition logs, and the members to wake when one grows.
 * Thread-safe.
 */
final class MemoryTopic {

  /** Told that a partition grew. Called on the appending thread: must be quick and must not block. */
  interface AppendListener {
    void appended(int partition);
  }

  private final String name;
  private final PartitionLog[] logs;
  private final AtomicInteger spread = new AtomicInteger();
  private final CopyOnWriteArrayList<AppendListener> listeners = new CopyOnWriteArrayList<>();

  MemoryTopic(String name, int partitions, MemoryStreamOptions options) {
    this.name = name;
    this.logs = new PartitionLog[partitions];
    for (int p = 0; p < partitions; p++) {
      // under the heap budget, the budget sets the limit as soon as the topic is counted in
      logs[p] = new PartitionLog(name, p, options.retentionRecords(),
          options.retentionBytes() == null ? Long.MAX_VALUE : options.retentionBytes());
    }
  }

  List<PartitionLog> logs() {
    return List.of(logs);
  }

  String name() {
    return name;
  }

  int partitions() {
    return logs.length;
  }

  PartitionLog log(int partition) {
    return logs[partition];
  }

  /** Appends to the key's partition (a null key goes round-robin) and wakes the listeners. */
  RecordPosition append(String key, Map<String, String> headers, byte[] value) {
    // encoded once, here: the partitioner hashes the key's bytes the log then copies
    RecordCodec.Encoded encoded = RecordCodec.encode(key, headers, value);
    int partition = key == null
        ? Math.floorMod(spread.getAndIncrement(), logs.length)
        : KeyPartitioner.partition(encoded.key(), logs.length);
    long offset = logs[partition].append(encoded, PartitionLog.sizeOf(key, headers, value),
        System.currentTimeMillis());
    for (AppendListener listener : listeners) {
      listener.appended(partition);
    }
    return new RecordPosition(partition, offset);
  }

  void addListener(AppendListener listener) {
    listeners.add(listener);
  }

  void removeListener(AppendListener listener) {
    listeners.remove(listener);
  }
}
