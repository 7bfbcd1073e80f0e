package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dispatcher on Vert.x: real timers, completions on other threads, failures, cancelling and draining. */
@ExtendWith(VertxExtension.class)
class KeyOrderedDispatcherTest {

  /** When a task ran, by the dispatcher context's clock. */
  private record Span(String key, int n, long startNanos, long endNanos) {
    boolean overlaps(Span other) {
      return startNanos < other.endNanos && other.startNanos < endNanos;
    }
  }

  @Test
  void differentKeysOverlapWhileOneKeysTasksRunStrictlyInTurn(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    // bob's tasks complete on another event loop: the completion hops back to the dispatcher's context
    Context elsewhere = vertx.getOrCreateContext();
    KeyOrderedDispatcher dispatcher = new KeyOrderedDispatcher(context, 4);
    List<Span> spans = new ArrayList<>(); // accessed on the dispatcher's context
    List<Future<Span>> outcomes = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      for (String key : List.of("ada", "bob")) {
        int task = n;
        // submitted from the test's thread: each submit hops to the context, in order
        outcomes.add(dispatcher.submit(key, () -> {
          long start = System.nanoTime();
          boolean onItsContext = Vertx.currentContext() == context;
          Promise<Span> done = Promise.promise();
          Context timerContext = key.equals("bob") ? elsewhere : context;
          timerContext.runOnContext(v -> vertx.setTimer(40, id -> {
            if (!onItsContext) {
              done.fail(new AssertionError("task " + key + task + " started off the dispatcher's context"));
            } else {
              done.complete(new Span(key, task, start, System.nanoTime()));
            }
          }));
          return done.future();
        }).onSuccess(spans::add));
      }
    }
    Future.all(outcomes).onComplete(test.succeeding(all -> test.verify(() -> {
      assertThat(Vertx.currentContext()).as("outcomes complete on the dispatcher's context").isSameAs(context);
      for (String key : List.of("ada", "bob")) {
        List<Span> ofKey = spans.stream().filter(span -> span.key().equals(key)).toList();
        assertThat(ofKey).extracting(Span::n).as("%s's tasks in submission order", key).containsExactly(1, 2, 3);
        for (int i = 1; i < ofKey.size(); i++) {
          assertThat(ofKey.get(i).startNanos()).as("%s's task %d starts after task %d ended", key, i + 1, i)
              .isGreaterThanOrEqualTo(ofKey.get(i - 1).endNanos());
        }
      }
      Span ada1 = spans.stream().filter(span -> span.key().equals("ada") && span.n() == 1).findFirst().orElseThrow();
      Span bob1 = spans.stream().filter(span -> span.key().equals("bob") && span.n() == 1).findFirst().orElseThrow();
      assertThat(ada1.overlaps(bob1)).as("ada's and bob's first tasks ran together").isTrue();
      assertThat(dispatcher.inFlight()).isZero();
      assertThat(dispatcher.keys()).isZero();
      test.completeNow();
    })));
  }

  @Test
  void aTaskThatThrowsOrReturnsNoFutureFailsAndTheKeyGoesOn(Vertx vertx) throws Exception {
    List<Object> outcomes = onContext(vertx, (dispatcher, result) -> {
      List<Object> seen = new ArrayList<>();
      dispatcher.<String>submit("ada", () -> {
        throw new IllegalStateException("boom");
      }).onComplete(ar -> seen.add(ar.cause()));
      dispatcher.<String>submit("ada", () -> null).onComplete(ar -> seen.add(ar.cause()));
      dispatcher.submit("ada", () -> Future.succeededFuture("third")).onComplete(ar -> {
        seen.add(ar.result());
        result.accept(seen);
      });
    });
    assertThat(outcomes).hasSize(3);
    assertThat(outcomes.get(0)).isInstanceOf(IllegalStateException.class);
    assertThat(outcomes.get(1)).isInstanceOf(NullPointerException.class);
    assertThat(outcomes.get(2)).isEqualTo("third");
  }

  @Test
  void aSubmittersHandlerThatThrowsDoesNotStopTheNextTask(Vertx vertx) throws Exception {
    String last = onContext(vertx, (dispatcher, result) -> {
      Promise<String> first = Promise.promise();
      dispatcher.submit("ada", first::future).onSuccess(value -> {
        throw new IllegalStateException("a careless handler");
      });
      dispatcher.submit("ada", () -> Future.succeededFuture("second")).onSuccess(result::accept);
      first.complete("first");
    });
    assertThat(last).isEqualTo("second");
  }

  @Test
  void cancellingFailsTheQueuedTasksAndLetsTheRunningOnesEnd(Vertx vertx) throws Exception {
    List<Object> outcomes = onContext(vertx, (dispatcher, result) -> {
      List<Object> seen = new ArrayList<>();
      Promise<String> ada = Promise.promise();
      Promise<String> cyd = Promise.promise();
      // both slots taken: ada's second task waits behind ada, bob's for a slot
      dispatcher.submit("ada", ada::future).onComplete(ar -> seen.add(ar.result()));
      dispatcher.submit("cyd", cyd::future).onComplete(ar -> seen.add(ar.result()));
      dispatcher.submit("ada", () -> Future.succeededFuture("never")).onComplete(ar -> seen.add(ar.cause()));
      dispatcher.submit("bob", () -> Future.succeededFuture("never")).onComplete(ar -> seen.add(ar.cause()));
      dispatcher.cancelQueued(new Exception("subscription deleted")).onSuccess(cancelled -> {
        seen.add(cancelled);
        seen.add(dispatcher.inFlight());
        seen.add(dispatcher.queued());
        dispatcher.idle().onSuccess(idle -> {
          seen.add("idle");
          result.accept(seen);
        });
        ada.complete("ada ended");
        cyd.complete("cyd ended");
      });
    });
    assertThat(outcomes).hasSize(8);
    assertThat(outcomes.subList(0, 2)).allSatisfy(cause -> assertThat(cause)
        .isInstanceOfSatisfying(Exception.class, e -> assertThat(e).hasMessage("subscription deleted")));
    assertThat(outcomes.subList(2, 8)).containsExactly(2, 2, 0, "ada ended", "cyd ended", "idle");
  }

  @Test
  void idleWaitsForTheRunningAndQueuedTasks(Vertx vertx) throws Exception {
    List<String> order = onContext(vertx, (dispatcher, result) -> {
      List<String> seen = new ArrayList<>();
      dispatcher.idle().onSuccess(v -> seen.add("idle while empty"));
      for (int n = 1; n <= 3; n++) {
        String task = "task " + n;
        dispatcher.submit("ada", () -> vertx.timer(5).map(task)).onSuccess(seen::add);
      }
      dispatcher.idle().onSuccess(v -> {
        seen.add("idle");
        result.accept(seen);
      });
    });
    assertThat(order).containsExactly("idle while empty", "task 1", "task 2", "task 3", "idle");
  }

  @Test
  void aLongLineOfTasksThatCompleteAtOnceDoesNotGrowTheStack(Vertx vertx) throws Exception {
    int count = onContext(vertx, (dispatcher, result) -> {
      Promise<Integer> first = Promise.promise();
      dispatcher.submit("ada", () -> first.future());
      int[] completed = {0};
      for (int n = 0; n < 100_000; n++) {
        dispatcher.submit("ada", () -> Future.succeededFuture(1)).onSuccess(one -> completed[0] += one);
      }
      dispatcher.idle().onSuccess(v -> result.accept(completed[0]));
      first.complete(0);
    });
    assertThat(count).isEqualTo(100_000);
  }

  @Test
  void theBoundIsCheckedAndAContextIsNeeded(Vertx vertx) {
    Context context = vertx.getOrCreateContext();
    assertThatThrownBy(() -> new KeyOrderedDispatcher(context, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxInFlight");
    assertThatThrownBy(() -> new KeyOrderedDispatcher(context, 1001)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeyOrderedDispatcher(8)).as("the test's thread has no context")
        .isInstanceOf(IllegalStateException.class);
  }

  /** Runs {@code body} on a fresh context with a dispatcher of two slots, and waits for its result. */
  private static <R> R onContext(Vertx vertx, Body<R> body) throws Exception {
    CompletableFuture<R> result = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> {
      try {
        body.run(new KeyOrderedDispatcher(2), result::complete);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    try {
      return result.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private interface Body<R> {
    void run(KeyOrderedDispatcher dispatcher, Consumer<R> result);
  }
}
