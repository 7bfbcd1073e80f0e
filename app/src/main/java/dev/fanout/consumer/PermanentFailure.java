package dev.fanout.consumer;

/**
 * A failure that doing the same thing again cannot fix: the event itself is at fault (it cannot be
 * decoded, or the sink rejects its data). After the retry budget such an event goes to the group's
 * dead-letter topic. Sinks throw it, or {@link Failures#isPermanent} recognizes the error as one.
 */
public class PermanentFailure extends RuntimeException {

  public PermanentFailure(String message) {
    super(message);
  }

  public PermanentFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
