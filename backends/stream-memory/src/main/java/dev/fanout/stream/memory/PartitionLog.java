package dev.fanout.stream.memory;

import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamRecord;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One partition's append-only log, kept in rings that grow up to the retention limit.
 *
 * <p>Invariants: {@code startOffset <= endOffset}; the records {@code startOffset .. endOffset - 1} are
 * retained; offsets grow by one per append and are never reused; timestamps never decrease along the
 * log. When an append would exceed the retention (records or bytes) the oldest records are dropped,
 * which moves {@code startOffset}; the newest record is always kept.
 *
 * <p>Storage. A retained record is not an object: its key, headers and value are encoded one after the other
 * ({@link RecordCodec}) into a large byte array shared by many records (a chunk), and the rings keep, per offset, its chunk, where
 * it starts there and its length (one long), its timestamp and the size retention counts for it. Three arrays, not
 * five: an append writes, and a read copies, fewer cache lines. Hundreds of thousands of
 * small objects that live as long as the retention would be copied by every young collection until they
 * are old, and that cost more than everything else of a send and a delivery together; a few large arrays
 * are copied at most a few times, or never (the largest chunk fills one G1 region of a heap of up to 2 GB).
 * Chunk bytes, once written, never change, so a reader decodes them after it has released the lock; every
 * read builds new records, so groups never share a value array.
 *
 * <p>Thread-safe. Writers (appends, retention, deletes) hold the log's monitor for a short, non-blocking
 * critical section. Reads take no lock, so that consumers never hold up a producer nor wait for one: a read
 * copies the slots it wants, then checks that none of them was dropped meanwhile (the start did not pass
 * them), and else chooses again, as a sequence lock's reader does. A writer moves the start before it clears
 * or reuses a slot, and fills a slot before it moves the end past it.
 */
final class PartitionLog {

  /** A rough per-record overhead, so byte retention accounts for more than the payload. */
  static final int RECORD_OVERHEAD_BYTES = 96;
  /** A rough per-header overhead: a map entry and two strings, besides their characters. */
  static final int HEADER_OVERHEAD_BYTES = 96;
  // the first chunk of a log; each next one is twice as large, up to the largest
  private static final int FIRST_CHUNK_BYTES = 4 * 1024;
  // one G1 region of 1 MB (a heap of up to 2 GB) less the array's header: allocated old, never copied
  private static final int LARGEST_CHUNK_BYTES = (1 << 20) - 64;

  private final String topic;
  private final int partition;
  private final long retentionRecords;

  // written under this, read anywhere; a grown ring replaces the old one, which then never changes
  private volatile Rings rings;
  private volatile long startOffset;
  private volatile long endOffset;
  // guarded by this
  private long retentionBytes;
  private long retainedBytes;
  private long lastTimestamp;
  // the chunk appends write to, and how much of it they used
  private byte[] chunk = new byte[0];
  private int chunkUsed;

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
    this.rings = new Rings((int) Math.min(1024, Long.highestOneBit(retentionRecords - 1 | 1) << 1));
  }

  /** Appends a record stamped with the current time and returns its offset. */
  long append(String key, Map<String, String> headers, byte[] value) {
    return append(key, headers, value, System.currentTimeMillis());
  }

  /**
   * Appends a record stamped {@code now} (or the previous record's time, if later) and returns its offset. The
   * log copies what it keeps: the caller may reuse {@code value} afterwards.
   */
  long append(String key, Map<String, String> headers, byte[] value, long now) {
    return append(RecordCodec.encode(key, headers, value), sizeOf(key, headers, value), now);
  }

  /**
   * Appends a record encoded by {@link RecordCodec#encode} (outside the lock, which is held for the copy into the
   * chunk only), counting {@code size} ({@link #sizeOf}) against the byte retention; stamped as above.
   */
  long append(RecordCodec.Encoded encoded, long size, long now) {
    int length = encoded.length();
    synchronized (this) {
      long offset = endOffset;
      lastTimestamp = Math.max(lastTimestamp, now);
      while (endOffset > startOffset
          && (endOffset - startOffset >= retentionRecords || retainedBytes + size > retentionBytes)) {
        evictOldest();
      }
      if (endOffset - startOffset == rings.chunkAt.length) {
        grow();
      }
      if (chunk.length - chunkUsed < length) {
        newChunk(length);
      }
      int at = chunkUsed;
      encoded.writeTo(chunk, at);
      chunkUsed = at + length;
      Rings r = rings;
      int i = r.index(offset);
      r.chunkAt[i] = chunk;
      r.placeAt[2 * i] = Rings.place(at, length);
      r.placeAt[2 * i + 1] = lastTimestamp;
      r.sizeAt[i] = (int) Math.min(Integer.MAX_VALUE, size);
      // publishes the slot: a reader that sees the new end sees the slot filled. A volatile store, not a release
      // one: the appender reads its members' wake flags next, and a member clears its flag before it reads the
      // end (MemoryGroupMember#sleep), so that one of the two always sees the other (no lost wake-up).
      endOffset = offset + 1;
      retainedBytes += size;
      return offset;
    }
  }

  /**
   * Up to {@code max} consecutive records starting at {@code from}; empty when {@code from} is the end.
   *
   * @throws OffsetOutOfRangeException when {@code from} is before the start or after the end
   */
  List<StreamRecord> read(long from, int max) {
    runBeforeRead();
    for (;;) {
      long start = startOffset;
      long end = endOffset;
      if (from < start || from > end) {
        throw new OffsetOutOfRangeException(from, start, end);
      }
      Span span = span(from, (int) Math.min(max, end - from));
      if (span != null) {
        return decode(span);
      }
    }
  }

  /** What {@link #readOrFallBack} read: where it started, the records, and whether it fell back. */
  record Read(long from, List<StreamRecord> records, boolean fellBack) {
  }

  /**
   * Like {@link #read}, except that a {@code from} outside the retained range (a negative one included)
   * reads from the start ({@code EARLIEST}) or the end ({@code LATEST}) instead. The offset is chosen again
   * when the records moved on while they were read, so it never throws.
   */
  Read readOrFallBack(long from, int max, StartPosition fallback) {
    runBeforeRead();
    for (;;) {
      // the start first: read after the end, it could pass it
      long start = startOffset;
      long end = endOffset;
      boolean fellBack = from < start || from > end;
      long at = !fellBack ? from : fallback == StartPosition.EARLIEST ? start : end;
      if (at == end) {
        // nothing to copy, so nothing to check: the common read of a member that caught up
        return new Read(at, List.of(), fellBack);
      }
      Span span = span(at, (int) Math.min(max, end - at));
      if (span != null) {
        return new Read(at, decode(span), fellBack);
      }
    }
  }

  // Where the records of a read lie; copied without the lock, decoded once known to be intact.
  // places: per record, where it lies in its chunk and its timestamp (Rings#placeAt's layout)
  private record Span(long from, byte[][] chunks, long[] places) {
  }

  // The slots of count records from offset from, which the caller saw retained and published; null when the
  // start passed from meanwhile, so that some of the copied slots may have been cleared or reused.
  private Span span(long from, int count) {
    // read after the end: a ring at least as new as the slots the end published
    Rings r = rings;
    byte[][] chunks = new byte[count][];
    long[] places = new long[2 * count];
    // at most two runs of slots, before and after the ring wraps
    int first = r.index(from);
    int head = Math.min(count, r.chunkAt.length - first);
    System.arraycopy(r.chunkAt, first, chunks, 0, head);
    System.arraycopy(r.placeAt, 2 * first, places, 0, 2 * head);
    System.arraycopy(r.chunkAt, 0, chunks, head, count - head);
    System.arraycopy(r.placeAt, 0, places, 2 * head, 2 * (count - head));
    // the copies above happen before the start is read again (as StampedLock.validate orders them)
    VarHandle.acquireFence();
    return startOffset <= from ? new Span(from, chunks, places) : null;
  }

  private List<StreamRecord> decode(Span span) {
    int count = span.chunks.length;
    if (count == 0) {
      return Collections.emptyList();
    }
    StreamRecord[] records = new StreamRecord[count];
    for (int r = 0; r < count; r++) {
      long place = span.places[2 * r];
      records[r] = RecordCodec.decode(span.chunks[r], Rings.start(place), Rings.length(place), topic, partition,
          span.from + r, span.places[2 * r + 1]);
    }
    return Arrays.asList(records);
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

  long startOffset() {
    return startOffset;
  }

  long endOffset() {
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
    Rings r = rings;
    long lo = startOffset;
    long hi = endOffset;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (r.placeAt[2 * r.index(mid) + 1] < timestamp) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void evictOldest() {
    Rings r = rings;
    int i = r.index(startOffset);
    retainedBytes -= r.sizeAt[i];
    START.setRelease(this, startOffset + 1);
    // the start moves before the slot is cleared or reused: a reader that copied the slot then sees it left
    VarHandle.storeStoreFence();
    // a chunk is garbage once no slot names it and appends moved on to another
    r.chunkAt[i] = null;
  }

  // A chunk with room for length bytes: twice the previous one, at most the largest (or what one record
  // needs), and no larger than the whole byte retention would use.
  private void newChunk(int length) {
    long wanted = Math.min(Math.max(FIRST_CHUNK_BYTES, 2L * chunk.length), LARGEST_CHUNK_BYTES);
    wanted = Math.min(wanted, Math.max(FIRST_CHUNK_BYTES, retentionBytes));
    chunk = new byte[(int) Math.max(wanted, length)];
    chunkUsed = 0;
  }

  // Caller holds the lock. The old ring stays intact for readers that still copy from it.
  private void grow() {
    Rings old = rings;
    Rings bigger = new Rings(old.chunkAt.length * 2);
    for (long offset = startOffset; offset < endOffset; offset++) {
      int from = old.index(offset);
      int to = bigger.index(offset);
      bigger.chunkAt[to] = old.chunkAt[from];
      bigger.placeAt[2 * to] = old.placeAt[2 * from];
      bigger.placeAt[2 * to + 1] = old.placeAt[2 * from + 1];
      bigger.sizeAt[to] = old.sizeAt[from];
    }
    rings = bigger;
  }

  /** One slot per retained offset, at {@code offset & (slots - 1)}; see Storage above. */
  private static final class Rings {
    final byte[][] chunkAt;
    // two longs per slot: where the record starts in its chunk and its length (see place), then its timestamp
    final long[] placeAt;
    // the size byte retention counts for the record
    final int[] sizeAt;

    Rings(int slots) {
      chunkAt = new byte[slots][];
      placeAt = new long[2 * slots];
      sizeAt = new int[slots];
    }

    static long place(int start, int length) {
      return (long) start << 32 | (length & 0xffffffffL);
    }

    static int start(long place) {
      return (int) (place >>> 32);
    }

    static int length(long place) {
      return (int) place;
    }

    int index(long offset) {
      return (int) (offset & (chunkAt.length - 1));
    }
  }

  /** The size byte retention counts for a record. */
  static long sizeOf(String key, Map<String, String> headers, byte[] value) {
    long size = RECORD_OVERHEAD_BYTES + value.length;
    if (key != null) {
      size += 2L * key.length();
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      size += HEADER_OVERHEAD_BYTES + 2L * (header.getKey().length() + header.getValue().length());
    }
    return size;
  }

  // a release store of the start: the seqlock's writer needs its order, not a full fence
  private static final VarHandle START;

  static {
    try {
      START = MethodHandles.lookup().findVarHandle(PartitionLog.class, "startOffset", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
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
