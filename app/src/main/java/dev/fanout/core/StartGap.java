package dev.fanout.core;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Spaces out the starts of a repeated piece of work (a transaction, a relay round, a sink call): each starts
 * at least a given time after the previous one started. Work asked for sooner is held back, and one Vert.x
 * timer asks again once the gap is over; work asked for after a quiet spell starts at once. So at moderate
 * rates each start takes what gathered meanwhile, instead of one item each, and under load (when the work
 * itself takes longer than the gap) it changes nothing.
 *
 * <p>Thread-safe; its timer runs on the context that asked (or an event loop when none did).
 */
public final class StartGap {

  private static final StartGap NONE = new StartGap(null, 0);

  private final Vertx vertx;
  private final long gapNanos;
  // guarded by this
  private long lastStartNanos;
  private boolean timerSet;

  private StartGap(Vertx vertx, long gapNanos) {
    this.vertx = vertx;
    this.gapNanos = gapNanos;
    this.lastStartNanos = System.nanoTime() - gapNanos;
  }

  /**
   * @param gapMicros the least time between two starts; 0: none
   * @throws IllegalArgumentException when negative
   */
  public static StartGap of(Vertx vertx, long gapMicros) {
    if (gapMicros < 0) {
      throw new IllegalArgumentException("the least gap between starts must be at least 0, was " + gapMicros);
    }
    return gapMicros == 0 ? NONE : new StartGap(vertx, TimeUnit.MICROSECONDS.toNanos(gapMicros));
  }

  /** No gap: every start may go at once. */
  public static StartGap none() {
    return NONE;
  }

  /**
   * Whether the work may start now; if so, the start is recorded. If not, {@code retry} runs once the gap is
   * over (at most one timer is pending, whoever asked).
   */
  public synchronized boolean tryStart(Runnable retry) {
    if (vertx == null) {
      return true;
    }
    long wait = lastStartNanos + gapNanos - System.nanoTime();
    if (wait <= 0) {
      lastStartNanos = System.nanoTime();
      return true;
    }
    if (!timerSet) {
      timerSet = true;
      vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999)), id -> {
        synchronized (this) {
          timerSet = false;
        }
        retry.run();
      });
    }
    return false;
  }

  /** Records a start that did not ask (one the gap must not hold back, such as a full batch). */
  public synchronized void started() {
    lastStartNanos = System.nanoTime();
  }
}
