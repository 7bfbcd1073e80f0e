package dev.fanout.events;

/** An event that can never be processed as it is (undecodable, unknown schema): a permanent failure. */
public final class InvalidEventException extends IllegalArgumentException {

  public InvalidEventException(String message) {
    super(message);
  }
}
