package dev.fanout.search;

import java.util.concurrent.TimeUnit;

/**
 * Spaces out an engine's refreshes (Lucene's reader reopens, OpenSearch's refresh requests): each starts at
 * least a given time after the previous one started, so that a busy index makes fewer, larger segments.
 * Not thread-safe: the engine uses it from one thread or under its own lock.
 */
public final class RefreshPacing {

  private final long intervalNanos;
  private long lastStartNanos;

  /**
   * @param intervalMillis the least time between the starts of two refreshes; 0: no pacing
   * @throws IllegalArgumentException when negative
   */
  public RefreshPacing(long intervalMillis) {
    if (intervalMillis < 0) {
      throw new IllegalArgumentException("refresh pacing must be at least 0 ms, was " + intervalMillis);
    }
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    // the first refresh may start at once; nanoTime's origin is arbitrary and may be negative
    this.lastStartNanos = System.nanoTime() - intervalNanos;
  }

  /** How long the next refresh should still wait, in nanoseconds; zero or less: it may start now. */
  public long waitNanos() {
    return lastStartNanos + intervalNanos - System.nanoTime();
  }

  /** Records that a refresh starts now. */
  public void started() {
    lastStartNanos = System.nanoTime();
  }
}
