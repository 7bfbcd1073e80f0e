package dev.fanout.stream.spi;

import java.util.TreeMap;

/**
 * The batches of one partition that a member handed out, and the offset it may commit: the end of the
 * longest run of successfully completed batches that starts at the committed offset (as Confluent's
 * Parallel Consumer tracks offsets). Batches may complete in any order; one that completes after a gap is
 * held until the gap closes. Pure state, no I/O and no Vert.x; a backend keeps one per owned partition.
 *
 * <p>Invariants: {@code committed() <= next()}; the batches handed out cover {@code [committed(), next())}
 * without overlap, in offset order; {@link #committed()} never moves back. After a failure the window
 * hands out nothing more; once {@link #restartDue()}, the backend starts a new window at
 * {@link #committed()}, so the failed batch and every batch after it are delivered again.
 *
 * <p>A batch is named by the offset of its first record. Offsets between the previous batch's end and a
 * batch's first record hold no record (a gap in the log, or records that left it) and go with that batch.
 *
 * <p>Not thread-safe: owned by the member's context.
 */
public final class BatchWindow {

  /** A batch handed out and not completed: where its range starts (maybe before its first record) and ends. */
  private record Range(long from, long end) {
  }

  // batches in flight, by first record offset
  private final TreeMap<Long, Range> inFlight = new TreeMap<>();
  // batches that succeeded after a gap, by start of range, with their ends
  private final TreeMap<Long, Long> doneAfterGap = new TreeMap<>();
  private long committed;
  private long next;
  private boolean failed;

  /** A window whose first batch starts at {@code start}, which counts as committed. */
  public BatchWindow(long start) {
    if (start < 0) {
      throw new IllegalArgumentException("start must not be negative, was " + start);
    }
    this.committed = start;
    this.next = start;
  }

  /** The end of the successful prefix: the offset to commit. */
  public long committed() {
    return committed;
  }

  /** Where the next batch starts: the end of the last batch handed out. */
  public long next() {
    return next;
  }

  /** Batches handed out and not completed yet. */
  public int inFlight() {
    return inFlight.size();
  }

  /** The first record offset of the oldest batch in flight; -1 when none is. */
  public long oldestInFlight() {
    return inFlight.isEmpty() ? -1 : inFlight.firstKey();
  }

  /** True once a batch failed: nothing more is handed out from this window. */
  public boolean failed() {
    return failed;
  }

  /** True when another batch may go out: no batch failed and fewer than {@code maxInFlight} are in flight. */
  public boolean canHandOut(int maxInFlight) {
    return !failed && inFlight.size() < maxInFlight;
  }

  /** True once a batch failed and none is in flight any more: start a new window at {@link #committed()}. */
  public boolean restartDue() {
    return failed && inFlight.isEmpty();
  }

  /**
   * A batch of records {@code first .. end - 1} went out.
   *
   * @throws IllegalStateException    after a failure
   * @throws IllegalArgumentException when it starts before {@link #next()} or is empty
   */
  public void handedOut(long first, long end) {
    if (failed) {
      throw new IllegalStateException("a batch failed: no batch may go out before a restart at " + committed);
    }
    if (first < next || end <= first) {
      throw new IllegalArgumentException("batch [" + first + ", " + end + ") does not follow offset " + next);
    }
    inFlight.put(first, new Range(next, end));
    next = end;
  }

  /**
   * The batch starting at {@code first} succeeded.
   *
   * @return whether {@link #committed()} advanced; false also for a batch this window does not have in flight
   */
  public boolean succeeded(long first) {
    Range range = inFlight.remove(first);
    if (range == null) {
      return false;
    }
    doneAfterGap.put(range.from(), range.end());
    long before = committed;
    Long end;
    while ((end = doneAfterGap.remove(committed)) != null) {
      committed = end;
    }
    return committed != before;
  }

  /**
   * The batch starting at {@code first} failed: the window hands out nothing more. Batches still in flight
   * go on; those before the failed one may still advance {@link #committed()}. Ignored for a batch this
   * window does not have in flight.
   */
  public void failed(long first) {
    if (inFlight.remove(first) != null) {
      failed = true;
    }
  }

  @Override
  public String toString() {
    return "BatchWindow[committed=" + committed + ", next=" + next + ", inFlight=" + inFlight.keySet()
        + (failed ? ", failed" : "") + "]";
  }
}
