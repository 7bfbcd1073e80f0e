package dev.fanout.consumer;

import dev.fanout.core.StartGap;
import dev.fanout.events.BlogEvent;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lets the batches of many partitions share one call to a sink: while a call runs, the batches that arrive
 * wait, and go together in the next call (up to {@code maxEvents} events), so a group under load makes one
 * transaction or one index write for many partitions instead of one each. A partition's batch keeps its
 * order inside the shared call; batches of different partitions carry no order between them.
 *
 * <p>A shared call that fails is split: each of its batches is applied again alone, and learns the outcome
 * of its own events only. So one batch's bad event never fails, retries or dead-letters another's. The sink
 * must take a list of any size (and is idempotent anyway: a batch may be applied again after a failure).
 * A call that failed because the sink is unavailable ({@link SinkUnavailable}, a timeout included) is not
 * split: that says nothing about the events, and each batch alone would only wait for the same sink again.
 *
 * <p>Paced when built with a least gap: a call starts at least that long after the previous one started (a
 * timer starts the one held back), so that at moderate rates one call carries several partitions' batches
 * instead of one each; a batch that arrives after a quiet spell goes at once.
 *
 * <p>Thread-safe: members of a group call it from their own contexts.
 */
final class CoalescingSink implements GroupSink {

  // a batch and its caller's context, where its outcome is delivered (the shared call may run on another's)
  private record Waiting(List<BlogEvent> events, Promise<Void> done, Context context) {

    void tell(AsyncResult<Void> outcome) {
      if (context == null || Vertx.currentContext() == context) {
        done.handle(outcome);
      } else {
        context.runOnContext(v -> done.handle(outcome));
      }
    }
  }

  private final GroupSink sink;
  private final int maxEvents;
  // guarded by this
  private final List<Waiting> queue = new ArrayList<>();
  private boolean running;
  private final StartGap gap;

  CoalescingSink(GroupSink sink, int maxEvents) {
    this(sink, maxEvents, null, 0);
  }

  /** @param minGapMillis the least time between the starts of two calls (0: none); its timers run on {@code vertx} */
  CoalescingSink(GroupSink sink, int maxEvents, Vertx vertx, long minGapMillis) {
    this.sink = sink;
    this.maxEvents = maxEvents;
    this.gap = StartGap.of(vertx, TimeUnit.MILLISECONDS.toMicros(minGapMillis));
  }

  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    Promise<Void> done = Promise.promise();
    synchronized (this) {
      queue.add(new Waiting(events, done, Vertx.currentContext()));
    }
    next();
    return done.future();
  }

  private void next() {
    List<Waiting> call = new ArrayList<>();
    synchronized (this) {
      if (running || queue.isEmpty()) {
        return;
      }
      if (!gap.tryStart(this::next)) {
        return;
      }
      running = true;
      int size = 0;
      // at least one batch, however large; more while they fit
      while (!queue.isEmpty() && (call.isEmpty() || size + queue.get(0).events().size() <= maxEvents)) {
        Waiting batch = queue.remove(0);
        size += batch.events().size();
        call.add(batch);
      }
    }
    run(call).onComplete(ar -> {
      synchronized (this) {
        running = false;
      }
      next();
    });
  }

  private Future<Void> run(List<Waiting> call) {
    if (call.size() == 1) {
      Waiting only = call.get(0);
      return attempt(only.events()).transform(ar -> {
        only.tell(ar);
        return Future.succeededFuture();
      });
    }
    List<BlogEvent> events = new ArrayList<>();
    call.forEach(batch -> events.addAll(batch.events()));
    return attempt(events).transform(ar -> {
      if (ar.succeeded() || ar.cause() instanceof SinkUnavailable) {
        call.forEach(batch -> batch.tell(ar));
        return Future.succeededFuture();
      }
      // split: each batch alone, one after the other, each told its own outcome
      Future<Void> alone = Future.succeededFuture();
      for (Waiting batch : call) {
        alone = alone.transform(v -> attempt(batch.events()).transform(each -> {
          batch.tell(each);
          return Future.succeededFuture();
        }));
      }
      return alone;
    });
  }

  private Future<Void> attempt(List<BlogEvent> events) {
    try {
      return sink.apply(events);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
