package dev.fanout.stream.spi;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs the body of an SPI method so that it keeps two promises the SPI makes for every method: it never
 * throws (whatever goes wrong fails the future it returns), and its future completes on the caller's Vert.x
 * context, whichever context or thread did the work. Backends wrap each public method's body in
 * {@link #call}.
 */
public final class Calls {

  private Calls() {
  }

  /**
   * The future of {@code body}, failed with what it throws or when it returns none. Called on a Vert.x
   * context, the future completes there; called outside one, it is {@code body}'s own future.
   */
  public static <T> Future<T> call(Supplier<Future<T>> body) {
    Context caller = Vertx.currentContext();
    Future<T> result;
    try {
      result = body.get();
      if (result == null) {
        result = Future.failedFuture(new IllegalStateException("the backend returned no future"));
      }
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    if (caller == null) {
      return result;
    }
    // a plain promise completed on the caller's thread: its callbacks run there, at once or when added
    Promise<T> onCaller = Promise.promise();
    result.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        onCaller.handle(ar);
      } else {
        caller.runOnContext(v -> onCaller.handle(ar));
      }
    });
    return onCaller.future();
  }
}
