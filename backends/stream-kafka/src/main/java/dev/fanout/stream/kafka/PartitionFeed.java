package dev.fanout.stream.kafka;

import dev.fanout.stream.StreamRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What one member knows about one partition it owns: the records fetched but not yet handed out, the
 * batch in flight, and where the next record must start. Pure state, no I/O and no Vert.x; the member
 * drives it from its context and does the fetching, seeking and committing.
 *
 * <p>Invariants: at most one batch is in flight; batches are consecutive records. A record that does not
 * continue the sequence is refused while a seek the member asked for is pending (a blocked feed waiting
 * for the retry of a failed batch, or a restarted one): it was fetched before the seek. With no seek
 * pending it means the consumer moved by itself (Kafka's {@code auto.offset.reset}, when the position
 * left the log): the feed follows it, drops what it buffered, and says so. A blocked feed hands out
 * nothing.
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
  private final ArrayDeque<StreamRecord> buffer = new ArrayDeque<>();
  // the offset the next accepted record must have; -1 while unknown (takes the first record fetched)
  private long expected = -1;
  private boolean inFlight;
  private boolean blocked;
  // a seek asked for by restartAt has not completed yet
  private boolean seeking;
  // > 0 while an offset reset waits for the feed to be idle: no batch is handed out
  private int holds;
  // changes whenever a pending retry becomes stale (reset, new retry)
  private long retryToken;

  /**
   * @param batchSize   the most records in one batch
   * @param bufferLimit buffered records at which the feed asks for its partition to be paused
   */
  PartitionFeed(int partition, int batchSize, int bufferLimit) {
    this.partition = partition;
    this.batchSize = batchSize;
    this.bufferLimit = bufferLimit;
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
    return !inFlight && !blocked && holds == 0 && !buffer.isEmpty();
  }

  /** Takes the next batch; the feed is in flight until {@link #succeeded()} or {@link #failed}. */
  List<StreamRecord> take() {
    if (!ready()) {
      throw new IllegalStateException("partition " + partition + " has no batch to hand out");
    }
    List<StreamRecord> batch = new ArrayList<>(Math.min(batchSize, buffer.size()));
    while (batch.size() < batchSize && !buffer.isEmpty()) {
      batch.add(buffer.pollFirst());
    }
    inFlight = true;
    return batch;
  }

  /** The batch in flight was handled; the next one may go. */
  void succeeded() {
    inFlight = false;
  }

  /**
   * The batch in flight, starting at {@code firstOffset}, failed: drops everything buffered after it and
   * blocks until {@link #retry(long)}, after which records are accepted again from {@code firstOffset}.
   *
   * @return the token to pass to {@link #retry(long)}
   */
  long failed(long firstOffset) {
    inFlight = false;
    blocked = true;
    buffer.clear();
    expected = firstOffset;
    return ++retryToken;
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
    blocked = false;
    seeking = true;
    retryToken++;
    expected = offset;
    release();
  }

  /** The consumer's seek to the offset of {@link #restartAt} completed. */
  void seekDone() {
    seeking = false;
  }

  boolean inFlight() {
    return inFlight;
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
