package dev.fanout.stream.spi;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs work on a context that owns some state (a group member's context), from whatever thread asks. Uses
 * only Vert.x's public API.
 */
public final class OnContext {

  private OnContext() {
  }

  /** Runs {@code action} on {@code context}: at once when the caller is already there, else queued to it. */
  public static void run(Context context, Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /**
   * Runs {@code action} on {@code context} and returns its future, bound to {@code context}: callbacks added
   * to it run there, also when added from another thread after it completed. Never throws: what
   * {@code action} throws, or a null future, fails the result.
   */
  public static <T> Future<T> call(Context context, Supplier<Future<T>> action) {
    CompletableFuture<T> done = new CompletableFuture<>();
    run(context, () -> {
      try {
        Future<T> result = action.get();
        if (result == null) {
          done.completeExceptionally(new IllegalStateException("the action returned no future"));
          return;
        }
        result.onComplete(ar -> {
          if (ar.succeeded()) {
            done.complete(ar.result());
          } else {
            done.completeExceptionally(ar.cause());
          }
        });
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    return Future.fromCompletionStage(done, context);
  }
}
