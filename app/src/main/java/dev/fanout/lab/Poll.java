package dev.fanout.lab;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Asks a question on a timer until it answers yes or a bound passes: the lab's way to wait for something
 * it cannot be told about. Never blocks: the waits are Vert.x timers, set from the check's completion, so
 * checks run on the caller's context, one at a time, never overlapping.
 */
final class Poll {

  private Poll() {
  }

  /**
   * Asks {@code check} at once, then {@code interval} after each answer that is not yes.
   *
   * @param check    the question; a failed future (or a thrown exception) counts as a no until the bound
   * @param interval the pause between an answer and the next check; at least a millisecond
   * @param bound    from now, the time after which a no is final
   * @return true as soon as a check answers true; else, once a check ends after the bound, false when it
   *     answered false, failed with its cause when it failed
   */
  static Future<Boolean> until(Vertx vertx, Supplier<Future<Boolean>> check, Duration interval, Duration bound) {
    Promise<Boolean> answer = Promise.promise();
    ask(vertx, check, Math.max(1, interval.toMillis()), System.nanoTime() + bound.toNanos(), answer);
    return answer.future();
  }

  private static void ask(Vertx vertx, Supplier<Future<Boolean>> check, long intervalMillis, long deadline,
                          Promise<Boolean> answer) {
    Future<Boolean> asked;
    try {
      asked = check.get();
    } catch (RuntimeException e) {
      asked = Future.failedFuture(e);
    }
    asked.onComplete(ar -> {
      if (ar.succeeded() && Boolean.TRUE.equals(ar.result())) {
        answer.complete(true);
      } else if (System.nanoTime() - deadline > 0) {
        if (ar.succeeded()) {
          answer.complete(false);
        } else {
          answer.fail(ar.cause());
        }
      } else {
        vertx.setTimer(intervalMillis, id -> ask(vertx, check, intervalMillis, deadline, answer));
      }
    });
  }
}
