package dev.fanout.stream.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaFuture;

/**
 * Turns the native admin client's {@link KafkaFuture}s into Vert.x futures completed on a given context.
 * The admin client's calls only enqueue requests, so calling them on an event loop does not block; their
 * results arrive on the admin client's I/O thread and hop back here.
 */
final class KafkaFutureBridge {

  private KafkaFutureBridge() {
  }

  static <T> Future<T> on(Context context, KafkaFuture<T> kafkaFuture) {
    Promise<T> promise = Promise.promise();
    kafkaFuture.whenComplete((value, error) -> context.runOnContext(v -> {
      if (error == null) {
        promise.complete(value);
      } else {
        promise.fail(cause(error));
      }
    }));
    return promise.future();
  }

  /** The exception that says what went wrong, without the wrappers futures add. */
  static Throwable cause(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
