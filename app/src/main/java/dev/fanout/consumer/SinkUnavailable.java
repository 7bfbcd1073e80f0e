package dev.fanout.consumer;

/**
 * A sink did not take the work this time (it is down, overloaded or slow): a transient failure, retried,
 * counted by the sink's circuit breaker, never a reason to dead-letter.
 */
public class SinkUnavailable extends RuntimeException {

  public SinkUnavailable(String message) {
    super(message, null, false, false);
  }
}
