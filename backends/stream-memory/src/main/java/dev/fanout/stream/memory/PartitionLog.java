package dev.fanout.stream.memory;

import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One partition's append-only log, kept in a ring that grows up to the retention limit.
 *
 * <p>Invariants: {@code startOffset <= endOffset}; the records {@code startOffset .. endOffset - 1} are
 * retained; offsets grow by one per append and are never reused; timestamps never decrease along the
 * log. When an append would exceed the retention (records or bytes) the oldest records are dropped,
 * which moves {@code startOffset}; the newest record is always kept.
 *
 * <p>Thread-safe: every method holds the log's monitor for a short, non-blocking critical section.
 */
final class PartitionLog {

  /** A rough per-record overhead, so byte retention accounts for more than the payload. */
  static final int RECORD_OVERHEAD_BYTES = 96;
  /** A rough per-header overhead: a map entry and two strings, besides their characters. */
  static final int HEADER_OVERHEAD_BYTES = 96;

  private final String topic;
  private final int partition;
  private final long retentionRecords;

  // all guarded by this
  private long retentionBytes;
  private StreamRecord[] ring;
  private long startOffset;
  private long endOffset;
  private long retainedBytes;
  private long lastTimestamp;

  // Test seam, package-private and null in production: runs at the start of every read, before the lock
  // is taken, so that a test can append at the exact moment a reader races with a writer.
  private volatile Runnable beforeRead;

  PartitionLog(String topic, int partition, long retentionRecords, long retentionBytes) {
    if (retentionRecords < 1 || retentionBytes < 1) {
      throw new IllegalArgumentException("retention must be positive");
    }
    this.topic = topic;
    this.partition = partition;
    this.retentionRecords = retentionRecords;
    this.retentionBytes = retentionBytes;
    this.ring = new StreamRecord[(int) Math.min(1024, Long.highestOneBit(retentionRecords - 1 | 1) << 1)];
  }

  /** Appends a record stamped with the current time and returns its offset. */
  long append(String key, Map<String, String> headers, byte[] value) {
    return append(key, headers, value, System.currentTimeMillis());
  }

  synchronized long append(String key, Map<String, String> headers, byte[] value, long now) {
    long offset = endOffset;
    lastTimestamp = Math.max(lastTimestamp, now);
    StreamRecord record = new StreamRecord(topic, partition, offset, lastTimestamp, key, headers, value);
    long size = sizeOf(record);
    while (endOffset > startOffset
        && (endOffset - startOffset >= retentionRecords || retainedBytes + size > retentionBytes)) {
      evictOldest();
    }
    if (endOffset - startOffset == ring.length) {
      grow();
    }
    ring[index(offset)] = record;
    endOffset = offset + 1;
    retainedBytes += size;
    return offset;
  }

  /**
   * Up to {@code max} consecutive records starting at {@code from}; empty when {@code from} is the end.
   *
   * @throws OffsetOutOfRangeException when {@code from} is before the start or after the end
   */
  List<StreamRecord> read(long from, int max) {
    runBeforeRead();
    synchronized (this) {
      if (from < startOffset || from > endOffset) {
        throw new OffsetOutOfRangeException(from, startOffset, endOffset);
      }
      return readLocked(from, max);
    }
  }

  /** What {@link #readOrFallBack} read: where it started, the records, and whether it fell back. */
  record Read(long from, List<StreamRecord> records, boolean fellBack) {
  }

  /**
   * Like {@link #read}, except that a {@code from} outside the retained range (a negative one included)
   * reads from the start ({@code EARLIEST}) or the end ({@code LATEST}) instead. Choosing the offset and
   * reading happen under one lock, so the records cannot move on in between: it never throws.
   */
  Read readOrFallBack(long from, int max, StartPosition fallback) {
    runBeforeRead();
    synchronized (this) {
      if (from >= startOffset && from <= endOffset) {
        return new Read(from, readLocked(from, max), false);
      }
      long at = fallback == StartPosition.EARLIEST ? startOffset : endOffset;
      return new Read(at, readLocked(at, max), true);
    }
  }

  // Caller holds the lock and checked that from is in range.
  private List<StreamRecord> readLocked(long from, int max) {
    int count = (int) Math.min(max, endOffset - from);
    if (count == 0) {
      return Collections.emptyList();
    }
    List<StreamRecord> batch = new ArrayList<>(count);
    for (long offset = from; offset < from + count; offset++) {
      batch.add(ring[index(offset)]);
    }
    return batch;
  }

  /** Test seam: {@code hook} runs before every later read, on the reading thread; null removes it. */
  void beforeRead(Runnable hook) {
    beforeRead = hook;
  }

  private void runBeforeRead() {
    Runnable hook = beforeRead;
    if (hook != null) {
      hook.run();
    }
  }

  /**
   * Sets the byte limit (the heap budget moves it as partitions come and go) and drops the oldest records now
   * until the log keeps within it, the newest record always kept.
   */
  synchronized void limitBytes(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("retention must be positive");
    }
    retentionBytes = bytes;
    while (endOffset - startOffset > 1 && retainedBytes > retentionBytes) {
      evictOldest();
    }
  }

  synchronized long retentionBytes() {
    return retentionBytes;
  }

  synchronized long startOffset() {
    return startOffset;
  }

  synchronized long endOffset() {
    return endOffset;
  }

  /**
   * Drops every record before {@code offset}, as retention would (and as Kafka's {@code deleteRecords}
   * does): the start moves to {@code offset}, at most to the end, and never back.
   */
  synchronized void deleteBefore(long offset) {
    while (startOffset < Math.min(offset, endOffset)) {
      evictOldest();
    }
  }

  /** The offset of the first retained record with a timestamp at or after {@code timestamp}, else the end. */
  synchronized long offsetForTimestamp(long timestamp) {
    long lo = startOffset;
    long hi = endOffset;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (ring[index(mid)].timestamp() < timestamp) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void evictOldest() {
    int i = index(startOffset);
    retainedBytes -= sizeOf(ring[i]);
    ring[i] = null;
    startOffset++;
  }

  private void grow() {
    StreamRecord[] bigger = new StreamRecord[ring.length * 2];
    int newMask = bigger.length - 1;
    for (long offset = startOffset; offset < endOffset; offset++) {
      bigger[(int) (offset & newMask)] = ring[index(offset)];
    }
    ring = bigger;
  }

  private int index(long offset) {
    return (int) (offset & (ring.length - 1));
  }

  private static long sizeOf(StreamRecord record) {
    long size = RECORD_OVERHEAD_BYTES + record.value().length;
    if (record.key() != null) {
      size += 2L * record.key().length();
    }
    for (Map.Entry<String, String> header : record.headers().entrySet()) {
      size += HEADER_OVERHEAD_BYTES + 2L * (header.getKey().length() + header.getValue().length());
    }
    return size;
  }

  /** Thrown by {@link #read} for an offset the log does not hold. */
  static final class OffsetOutOfRangeException extends RuntimeException {
    final long requested;
    final long start;
    final long end;

    OffsetOutOfRangeException(long requested, long start, long end) {
      super("offset " + requested + " is outside [" + start + ", " + end + "]", null, false, false);
      this.requested = requested;
      this.start = start;
      this.end = end;
    }
  }
}
