package dev.fanout.consumer;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs asynchronous tasks one key at a time in the order submitted, and different keys concurrently up to a
 * bound: a webhook subscription delivers one author's events in stream order while other authors' go out
 * beside them.
 *
 * <p><b>Ordering.</b> A task starts only after every task submitted earlier with the same key has completed
 * (succeeded or failed), and only while fewer than {@code maxInFlight} tasks run. Keys that are ready (none of
 * their tasks runs, one waits) start in the order they became ready; a key whose task completes and that has
 * more waiting goes to the back of that line, so one busy key never starves the others. A task that throws,
 * or returns {@code null} instead of a future, counts as failed; the key's next task starts all the same.
 * The future returned by {@link #submit} completes with the task's outcome, before the key's next task starts.
 *
 * <p><b>Threading.</b> The dispatcher is confined to the context given at construction: its state is touched
 * there only. Its methods may be called from any thread; called elsewhere, they hop to the context with
 * {@link Context#runOnContext} (calls from one thread keep their order, and the submission order is the
 * order in which submits reach the context). Tasks are started on the context; their futures may complete
 * on any thread, and the completion hops back the same way. The futures this class returns are completed on
 * the context. {@link #inFlight()}, {@link #queued()} and {@link #keysWaiting()} may be read from any thread
 * and give the counts as of the last change on the context.
 *
 * <p><b>Bounds.</b> The waiting tasks are not bounded here: the caller bounds them, pausing its stream while
 * {@link #queued()} is above its limit. A key is remembered only while it has a task running or waiting.
 */
public final class KeyOrderedDispatcher {

  /** The upper bound of {@code maxInFlight}. */
  public static final int MAX_IN_FLIGHT_LIMIT = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(KeyOrderedDispatcher.class);

  /** A submitted task and the future its submitter holds. */
  private static final class Pending<T> {
    final String key;
    final Supplier<Future<T>> task;
    final Promise<T> outcome = Promise.promise();

    Pending(String key, Supplier<Future<T>> task) {
      this.key = key;
      this.task = task;
    }
  }

  private final Context context;
  // accessed on the dispatcher's context
  private final KeyOrderedQueue<Pending<?>> queue;
  // accessed on the dispatcher's context: told to start by the queue, not started yet
  private final ArrayDeque<Pending<?>> toStart = new ArrayDeque<>();
  // accessed on the dispatcher's context
  private boolean draining;
  // accessed on the dispatcher's context
  private final List<Promise<Void>> idleWaiters = new ArrayList<>();
  // written on the dispatcher's context, read from any thread
  private volatile int inFlight;
  private volatile int queued;
  private volatile int keysWaiting;

  /**
   * A dispatcher confined to the calling thread's current Vert.x context.
   *
   * @throws IllegalStateException when called outside a Vert.x context
   * @throws IllegalArgumentException when {@code maxInFlight} is not within 1..{@value #MAX_IN_FLIGHT_LIMIT}
   */
  public KeyOrderedDispatcher(int maxInFlight) {
    this(currentContext(), maxInFlight);
  }

  /**
   * A dispatcher confined to {@code context}.
   *
   * @throws IllegalArgumentException when {@code maxInFlight} is not within 1..{@value #MAX_IN_FLIGHT_LIMIT}
   */
  public KeyOrderedDispatcher(Context context, int maxInFlight) {
    if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
      throw new IllegalArgumentException("maxInFlight must be within 1.." + MAX_IN_FLIGHT_LIMIT + ", was "
          + maxInFlight);
    }
    this.context = Objects.requireNonNull(context, "context");
    this.queue = new KeyOrderedQueue<>(maxInFlight);
  }

  private static Context currentContext() {
    Context current = Vertx.currentContext();
    if (current == null) {
      throw new IllegalStateException("a KeyOrderedDispatcher is created on a Vert.x context, or given one");
    }
    return current;
  }

  /**
   * Queues {@code task} behind every earlier task of {@code key}; {@code task.get()} is called on the
   * dispatcher's context when the task's turn comes.
   *
   * @return the task's outcome: its future's, a failure when it threw or returned {@code null}, or the
   *     cause given to {@link #cancelQueued} when it was cancelled before it started
   */
  public <T> Future<T> submit(String key, Supplier<Future<T>> task) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(task, "task");
    Pending<T> pending = new Pending<>(key, task);
    onContext(() -> {
      queue.add(key, pending).ifPresent(toStart::addLast);
      counted();
      drain();
    });
    return pending.outcome.future();
  }

  /**
   * Fails every task that is queued and not started with {@code cause} (for a subscription being deleted);
   * running tasks go on to their end. Tasks submitted afterwards run as usual.
   *
   * @return how many tasks were cancelled
   */
  public Future<Integer> cancelQueued(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    Promise<Integer> cancelled = Promise.promise();
    onContext(() -> {
      List<Pending<?>> removed = queue.removeWaiting();
      counted();
      for (Pending<?> pending : removed) {
        cancel(pending, cause);
      }
      cancelled.complete(removed.size());
      idleReached();
    });
    return cancelled.future();
  }

  /**
   * Completes when no task runs and none is queued (at once when that is so already): a member that leaves
   * waits for this before it commits and goes. Tasks submitted while waiting are waited for too.
   */
  public Future<Void> idle() {
    Promise<Void> idle = Promise.promise();
    onContext(() -> {
      idleWaiters.add(idle);
      idleReached();
    });
    return idle.future();
  }

  /** Tasks started and not yet completed. */
  public int inFlight() {
    return inFlight;
  }

  /** Tasks submitted and not yet started. */
  public int queued() {
    return queued;
  }

  /** Keys with at least one task queued, behind their own running task or for a free slot. */
  public int keysWaiting() {
    return keysWaiting;
  }

  /** Keys remembered (with a task running or queued); for tests. Call on the dispatcher's context. */
  int keys() {
    return queue.keys();
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /**
   * Starts what the queue said to start. Re-entrant calls (a task completing synchronously, a submitter's
   * handler submitting again) only add to {@link #toStart}: the outermost loop starts them in order, so that
   * a long line of synchronous tasks does not grow the stack.
   */
  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      Pending<?> next;
      while ((next = toStart.pollFirst()) != null) {
        start(next);
      }
    } finally {
      draining = false;
    }
    idleReached();
  }

  private <T> void start(Pending<T> pending) {
    Future<T> running;
    try {
      running = pending.task.get();
      if (running == null) {
        running = Future.failedFuture(new NullPointerException("the task of key " + pending.key
            + " returned no future"));
      }
    } catch (Throwable e) {
      running = Future.failedFuture(e);
    }
    running.onComplete(outcome -> onContext(() -> completed(pending, outcome)));
  }

  private <T> void completed(Pending<T> pending, AsyncResult<T> outcome) {
    queue.done(pending.key).ifPresent(toStart::addLast);
    counted();
    settle(pending, outcome);
    drain();
  }

  private static <T> void cancel(Pending<T> pending, Throwable cause) {
    settle(pending, Future.failedFuture(cause));
  }

  private static <T> void settle(Pending<T> pending, AsyncResult<T> outcome) {
    // a submitter's handler that throws must not leave the tasks after it unstarted
    try {
      if (outcome.succeeded()) {
        pending.outcome.complete(outcome.result());
      } else {
        pending.outcome.fail(outcome.cause());
      }
    } catch (RuntimeException e) {
      LOG.warn("a handler of the outcome of a task of key {} threw", pending.key, e);
    }
  }

  private void idleReached() {
    if (draining || !queue.idle() || idleWaiters.isEmpty()) {
      return;
    }
    List<Promise<Void>> waiters = new ArrayList<>(idleWaiters);
    idleWaiters.clear();
    waiters.forEach(Promise::complete);
  }

  private void counted() {
    inFlight = queue.inFlight();
    queued = queue.queued();
    keysWaiting = queue.keysWaiting();
  }
}
