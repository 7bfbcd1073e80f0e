package dev.fanout.stream.kafka;

import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.spi.BatchWindow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What one member knows about one partition it owns: the records fetched but not yet handed out, the
 * batches in flight and the offset they let it commit (a {@link BatchWindow}), and where the next record
 * must start. Pure state, no I/O and no Vert.x; the member drives it from its context and does the
 * fetching, seeking and committing.
 *
 * <p>Invariants: at most {@code maxInFlight} batches are in flight, handed out in offset order; batches are
 * consecutive records. A failed batch blocks the feed; once none of its batches is in flight any more, the
 * retry restarts it at the committed offset (the end of the successful prefix). A record that does not
 * continue the sequence is refused while a seek the member asked for is pending (a blocked feed waiting
 * for the retry of a failed batch, or a restarted one): it was fetched before the seek. With no seek
 * pending it means the consumer moved by itself (Kafka's {@code auto.offset.reset}, when the position
 * left the log): the feed follows it, drops what it buffered, and says so; after a move back it hands out
 * nothing more until the batches in flight ended. A blocked feed hands out nothing.
 *
 * <p>That a record arriving after the seek completed was fetched after it holds because the consumer runs
 * its polls and seeks one after the other on one thread, and their results reach the member's context in
 * that order.
 *
 * <p>Not thread-safe: owned by the member's context.
 */
final class PartitionFeed {

  /** What became of an offered record. */
  enum Offer {
    /** Taken: it continues the sequence (or starts it). */
    ACCEPTED,
    /** Dropped: fetched before a pending seek, or the feed is blocked. */
    REFUSED,
    /** Taken, but the consumer's position had moved by itself: the sequence restarts at this record. */
    MOVED
  }

  private final int partition;
  private final int batchSize;
  private final int bufferLimit;
  private final int maxInFlight;
  private final ArrayDeque<StreamRecord> buffer = new ArrayDeque<>();
  // the offset the next accepted record must have; -1 while unknown (takes the first record fetched)
  private long expected = -1;
  // the batches handed out since the feed (re)started; null until the next batch starts a new one
  private BatchWindow window;
  private boolean blocked;
  // a batch failed and the retry was not handed to the member yet
  private boolean retryToStart;
  // a seek asked for by restartAt has not completed yet
  private boolean seeking;
  // > 0 while an offset reset waits for the feed to be idle: no batch is handed out
  private int holds;
  // changes whenever a pending retry becomes stale (reset, new retry)
  private long retryToken;

  /** A feed with one batch in flight at most. */
  PartitionFeed(int partition, int batchSize, int bufferLimit) {
    this(partition, batchSize, bufferLimit, 1);
  }

  /**
   * @param batchSize   the most records in one batch
   * @param bufferLimit buffered records at which the feed asks for its partition to be paused
   * @param maxInFlight the most batches in flight at once
   */
  PartitionFeed(int partition, int batchSize, int bufferLimit, int maxInFlight) {
    this.partition = partition;
    this.batchSize = batchSize;
    this.bufferLimit = bufferLimit;
    this.maxInFlight = maxInFlight;
  }

  int partition() {
    return partition;
  }

  /** Appends a fetched record, unless the feed is blocked or waits for a seek and the record is stale. */
  Offer offer(StreamRecord record) {
    if (blocked) {
      return Offer.REFUSED;
    }
    Offer result = Offer.ACCEPTED;
    if (expected >= 0 && record.offset() != expected) {
      if (seeking) {
        return Offer.REFUSED;
      }
      buffer.clear();
      result = Offer.MOVED;
    }
    buffer.addLast(record);
    expected = record.offset() + 1;
    return result;
  }

  /** Sets where the sequence starts when nothing has been fetched yet (the consumer's position). */
  void positionKnown(long position) {
    if (expected < 0 && buffer.isEmpty()) {
      expected = position;
    }
  }

  /** True when a batch can be handed out now. */
  boolean ready() {
    if (blocked || holds > 0 || buffer.isEmpty()) {
      return false;
    }
    if (window == null) {
      return true;
    }
    // after the consumer moved back by itself, a new window starts once the old one has nothing in flight
    return buffer.peekFirst().offset() >= window.next() ? window.canHandOut(maxInFlight) : window.inFlight() == 0;
  }

  /** Takes the next batch; it is in flight until {@link #succeeded(long)} or {@link #failed} for its first offset. */
  List<StreamRecord> take() {
    if (!ready()) {
      throw new IllegalStateException("partition " + partition + " has no batch to hand out");
    }
    List<StreamRecord> batch = new ArrayList<>(Math.min(batchSize, buffer.size()));
    while (batch.size() < batchSize && !buffer.isEmpty()) {
      batch.add(buffer.pollFirst());
    }
    long first = batch.get(0).offset();
    if (window == null || first < window.next()) {
      window = new BatchWindow(first);
    }
    window.handedOut(first, batch.get(batch.size() - 1).offset() + 1);
    return batch;
  }

  /**
   * The batch starting at {@code firstOffset} was handled.
   *
   * @return whether {@link #committable()} advanced
   */
  boolean succeeded(long firstOffset) {
    if (window == null) {
      return false;
    }
    boolean advanced = window.succeeded(firstOffset);
    settle();
    return advanced;
  }

  /** The oldest batch in flight was handled: {@link #succeeded(long)} for batches that end in order. */
  void succeeded() {
    if (window != null) {
      succeeded(window.oldestInFlight());
    }
  }

  /**
   * The batch starting at {@code firstOffset} failed: drops everything buffered and blocks until
   * {@link #retry(long)}. Once no batch is in flight any more, the retry is due (see {@link #retryToStart()})
   * and records are accepted again from the committed offset, {@link #expected()}.
   *
   * @return the token to pass to {@link #retry(long)}
   */
  long failed(long firstOffset) {
    if (window != null) {
      window.failed(firstOffset);
    }
    blocked = true;
    retryToStart = true;
    buffer.clear();
    ++retryToken;
    settle();
    return retryToken;
  }

  // Once a failed window has nothing in flight: the retry seeks back to the end of its successful prefix.
  private void settle() {
    if (blocked && !inFlight() && window != null) {
      expected = window.committed();
    }
  }

  /**
   * The token of the retry that has become due, once: a batch failed and no batch is in flight any more.
   * Empty otherwise, and after it was taken.
   */
  OptionalLong retryToStart() {
    if (!retryToStart || !blocked || inFlight()) {
      return OptionalLong.empty();
    }
    retryToStart = false;
    return OptionalLong.of(retryToken);
  }

  /** The offset to commit: the end of the successful prefix of the batches handed out; -1 before any. */
  long committable() {
    return window == null ? -1 : window.committed();
  }

  /** True while the retry of {@code token} is still due: the feed is blocked and was not reset since. */
  boolean awaitsRetry(long token) {
    return blocked && token == retryToken;
  }

  /** Ends the block of a failed batch, once its seek completed; false when the token is stale (the feed was reset since). */
  boolean retry(long token) {
    if (token != retryToken || !blocked) {
      return false;
    }
    blocked = false;
    window = null;
    return true;
  }

  /** The offset a retry must seek to. */
  long expected() {
    return expected;
  }

  /** Holds back new batches (for an offset reset); undone by {@link #restartAt} or {@link #release()}. */
  void hold() {
    holds++;
  }

  void release() {
    if (holds > 0) {
      holds--;
    }
  }

  /**
   * Drops what is buffered, cancels a pending retry and restarts the sequence at {@code offset}; records
   * that do not continue it are refused until {@link #seekDone()}.
   */
  void restartAt(long offset) {
    buffer.clear();
    window = null;
    blocked = false;
    retryToStart = false;
    seeking = true;
    retryToken++;
    expected = offset;
    release();
  }

  /** The consumer's seek to the offset of {@link #restartAt} completed. */
  void seekDone() {
    seeking = false;
  }

  /** True while a batch is in flight. */
  boolean inFlight() {
    return window != null && window.inFlight() > 0;
  }

  boolean blocked() {
    return blocked;
  }

  int buffered() {
    return buffer.size();
  }

  /** True when fetching should pause: the buffer is full or the feed waits for a retry. */
  boolean wantsPause() {
    return blocked || buffer.size() >= bufferLimit;
  }
}
