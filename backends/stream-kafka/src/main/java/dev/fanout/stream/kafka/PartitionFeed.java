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
 * <p>Invariants: at most one batch is in flight; records enter in offset order with no gap (a record
 * that does not continue the sequence is refused, which is how records fetched before a seek are
 * dropped); a blocked feed (a failed batch waiting for its retry) refuses records and hands out none.
 *
 * <p>Not thread-safe: owned by the member's context.
 */
final class PartitionFeed {

  private final int partition;
  private final int batchSize;
  private final int bufferLimit;
  private final ArrayDeque<StreamRecord> buffer = new ArrayDeque<>();
  // the offset the next accepted record must have; -1 while unknown (takes the first record fetched)
  private long expected = -1;
  private boolean inFlight;
  private boolean blocked;
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

  /** Appends a fetched record; false (record dropped) when it does not continue the sequence or the feed is blocked. */
  boolean offer(StreamRecord record) {
    if (blocked || (expected >= 0 && record.offset() != expected)) {
      return false;
    }
    buffer.addLast(record);
    expected = record.offset() + 1;
    return true;
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

  /** Ends the block of a failed batch; false when the token is stale (the feed was reset since). */
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

  /** Drops what is buffered, cancels a pending retry and restarts the sequence at {@code offset}. */
  void restartAt(long offset) {
    buffer.clear();
    blocked = false;
    retryToken++;
    expected = offset;
    release();
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
