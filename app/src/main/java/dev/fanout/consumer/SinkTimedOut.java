package dev.fanout.consumer;

/**
 * A sink call did not end within its group's bound ({@link ResiliencePolicy#sinkTimeoutMillis()}): the
 * sink is taken to be unavailable, so the attempt is retried and counts for the breaker. The call itself
 * may still be running; its outcome is ignored.
 */
public final class SinkTimedOut extends SinkUnavailable {

  public SinkTimedOut(String message) {
    super(message);
  }
}
