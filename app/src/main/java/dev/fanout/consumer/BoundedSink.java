package dev.fanout.consumer;

import dev.fanout.events.BlogEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * A sink whose every call ends within a bound: when the wrapped sink has not answered after
 * {@code timeoutMillis}, the call fails with {@link SinkTimedOut}, a Vert.x timer racing the call (nothing
 * waits on a thread). The wrapped call is not cancelled (a future cannot be), so the sink should bound its
 * own work too (the database sinks set a statement timeout of the same length), and must stay safe to apply
 * again while an abandoned call still runs: the {@link GroupSink} contract already asks for idempotency.
 *
 * <p>Thread-safe; the outcome is delivered on the thread that completes first (the sink's, or the timer's
 * context, the caller's when it has one).
 */
final class BoundedSink implements GroupSink {

  private final Vertx vertx;
  private final String name;
  private final GroupSink sink;
  private final long timeoutMillis;

  /** @param name the group, for the failure's message */
  BoundedSink(Vertx vertx, String name, GroupSink sink, long timeoutMillis) {
    if (timeoutMillis < 1) {
      throw new IllegalArgumentException("timeoutMillis must be positive");
    }
    this.vertx = vertx;
    this.name = name;
    this.sink = sink;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    Future<Void> call;
    try {
      call = sink.apply(events);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (call.isComplete()) {
      return call;
    }
    Promise<Void> bounded = Promise.promise();
    long timer = vertx.setTimer(timeoutMillis, id -> bounded.tryFail(new SinkTimedOut("the sink of group " + name
        + " did not answer a call of " + events.size() + " event(s) within " + timeoutMillis + " ms")));
    call.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        bounded.tryComplete();
      } else {
        bounded.tryFail(ar.cause());
      }
    });
    return bounded.future();
  }
}
