package dev.fanout.stream.spi;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Runs the body of an SPI method so that it keeps the SPI's promise for every method: it never throws,
 * whatever goes wrong fails the future it returns. Backends wrap each public method's body in {@link #call}.
 */
public final class Calls {

  private Calls() {
  }

  /** The future of {@code body}; failed with what it throws, or when it returns none. */
  public static <T> Future<T> call(Supplier<Future<T>> body) {
    Future<T> result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return result != null ? result : Future.failedFuture(new IllegalStateException("the backend returned no future"));
  }
}
