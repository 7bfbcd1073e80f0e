package dev.fanout.consumer;

/**
 * How a group treats failures of its sink.
 *
 * @param attempts          tries per call, the first included, before a call counts as failed
 * @param backoffMillis     wait before the first retry; doubles per retry (with jitter of ±50%), at most
 *                          {@link #MAX_BACKOFF_MILLIS}
 * @param breakerWaitMillis how long the sink's circuit stays open before one probe call is let through
 */
public record ResiliencePolicy(int attempts, long backoffMillis, long breakerWaitMillis) {

  public static final long MAX_BACKOFF_MILLIS = 10_000;
  /** The breaker judges the last this many calls to the sink... */
  static final int BREAKER_WINDOW = 10;
  /** ...once at least this many were made... */
  static final int BREAKER_MIN_CALLS = 5;
  /** ...and opens when at least this percentage of them failed transiently. */
  static final float BREAKER_FAILURE_PERCENT = 50;

  public ResiliencePolicy {
    if (attempts < 1 || backoffMillis < 1 || breakerWaitMillis < 1) {
      throw new IllegalArgumentException("attempts, backoff and breaker wait must be positive");
    }
  }

  public static ResiliencePolicy defaults() {
    return new ResiliencePolicy(5, 100, 5_000);
  }
}
