package dev.fanout.stream.spi;

import java.util.Map;

/**
 * Checks of arguments that every backend makes the same way, so that bad arguments fail alike under every
 * backend. Each returns the exception to fail the caller's future with, or null when the arguments are
 * fine; none throws.
 */
public final class ArgumentChecks {

  private ArgumentChecks() {
  }

  /** Headers to send: null (none) or a map whose names and values are all non-null. */
  public static IllegalArgumentException badHeaders(Map<String, String> headers) {
    if (headers == null) {
      return null;
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (header.getKey() == null) {
        return new IllegalArgumentException("a header has no name (its value is '" + header.getValue() + "')");
      }
      if (header.getValue() == null) {
        return new IllegalArgumentException("header '" + header.getKey() + "' has no value");
      }
    }
    return null;
  }
}
