package dev.fanout.consumer;

/**
 * How a group treats failures of its sink.
 *
 * @param attempts          tries per call, the first included, before a call counts as failed
 * @param backoffMillis     wait before the first retry; doubles per retry (with jitter of ±50%), at most
 *                          {@link #MAX_BACKOFF_MILLIS}
 * @param breakerWaitMillis how long the sink's circuit stays open before one probe call is let through
 * @param sinkTimeoutMillis how long one sink call may take; past it the attempt fails as the sink being
 *                          unavailable ({@link SinkTimedOut}): retried, and counted by the breaker
 */
public record ResiliencePolicy(int attempts, long backoffMillis, long breakerWaitMillis, long sinkTimeoutMillis) {

  public static final long MAX_BACKOFF_MILLIS = 10_000;
  /** The bound of a sink call unless one is given: a hung call stalls its group no longer than this. */
  public static final long DEFAULT_SINK_TIMEOUT_MILLIS = 30_000;
  /** The breaker judges the last this many calls to the sink... */
  static final int BREAKER_WINDOW = 10;
  /** ...once at least this many were made... */
  static final int BREAKER_MIN_CALLS = 5;
  /** ...and opens when at least this percentage of them failed transiently. */
  static final float BREAKER_FAILURE_PERCENT = 50;

  public ResiliencePolicy {
    if (attempts < 1 || backoffMillis < 1 || breakerWaitMillis < 1 || sinkTimeoutMillis < 1) {
      throw new IllegalArgumentException("attempts, backoff, breaker wait and sink timeout must be positive");
    }
  }

  /** A policy whose sink calls are bounded by {@link #DEFAULT_SINK_TIMEOUT_MILLIS}. */
  public ResiliencePolicy(int attempts, long backoffMillis, long breakerWaitMillis) {
    this(attempts, backoffMillis, breakerWaitMillis, DEFAULT_SINK_TIMEOUT_MILLIS);
  }

  public static ResiliencePolicy defaults() {
    return new ResiliencePolicy(5, 100, 5_000);
  }
}
