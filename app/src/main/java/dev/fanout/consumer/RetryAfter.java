package dev.fanout.consumer;

/**
 * A transient failure that says how long to wait before the next try (an HTTP {@code Retry-After}). The
 * group waits at least that long, however short its own backoff.
 */
public interface RetryAfter {

  /** How long to wait before the next try, in milliseconds. */
  long retryAfterMillis();

  /**
   * The wait before round {@code round} (0 for the first retry) of a call that keeps trying: {@code backoffMillis}
   * doubled per round, at most {@link ResiliencePolicy#MAX_BACKOFF_MILLIS}, and never less than what
   * {@code failure} asks for.
   */
  static long waitBefore(int round, long backoffMillis, Throwable failure) {
    return Math.max(of(failure), Math.min(ResiliencePolicy.MAX_BACKOFF_MILLIS, backoffMillis << Math.min(round, 20)));
  }

  /** The wait {@code failure} or one of its causes asks for; 0 when none asks. */
  static long of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RetryAfter r) {
        return Math.max(0, r.retryAfterMillis());
      }
    }
    return 0;
  }
}
