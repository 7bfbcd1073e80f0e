package dev.fanout.lab;

import static dev.fanout.app.RunningApp.await;
import static dev.fanout.app.RunningApp.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lab's one way to wait for a condition: on Vert.x timers, up to a bound, one check at a time. */
class PollTest {

  private static final Duration INTERVAL = Duration.ofMillis(5);

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  // started on a context of its own, as LabRun starts its polls from its context
  private static Future<Boolean> poll(Context context, Supplier<Future<Boolean>> check, Duration bound) {
    Promise<Boolean> answer = Promise.promise();
    context.runOnContext(v -> Poll.until(vertx, check, INTERVAL, bound).onComplete(answer));
    return answer.future();
  }

  private static Future<Boolean> poll(Supplier<Future<Boolean>> check, Duration bound) {
    return poll(vertx.getOrCreateContext(), check, bound);
  }

  @Test
  void answersYesAtTheFirstYesWithoutAskingAgain() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    assertThat(await(poll(() -> Future.succeededFuture(checks.incrementAndGet() == 3), Duration.ofSeconds(30))))
        .isTrue();
    assertThat(checks).hasValue(3);
  }

  @Test
  void answersNoOnceACheckEndsAfterTheBound() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    long start = System.nanoTime();
    assertThat(await(poll(() -> {
      checks.incrementAndGet();
      return Future.succeededFuture(false);
    }, Duration.ofMillis(100)))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(checks.get()).as("asked at once, then again until the bound").isGreaterThan(1);
  }

  @Test
  void aFailedCheckIsANoUntilTheBound() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    assertThat(await(poll(() -> {
      if (checks.incrementAndGet() == 1) {
        throw new IllegalStateException("thrown, not returned");
      }
      return checks.get() < 4 ? Future.failedFuture(new IllegalStateException("not yet"))
          : Future.succeededFuture(true);
    }, Duration.ofSeconds(30)))).isTrue();
    assertThat(checks).hasValue(4);
  }

  @Test
  void aCheckThatStillFailsAfterTheBoundFailsThePoll() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    Throwable failure = failure(poll(
        () -> Future.failedFuture(new IllegalStateException("down " + checks.incrementAndGet())), Duration.ZERO));
    assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("down 1");
  }

  @Test
  void checksRunOnTheCallersContextOneAtATime() throws Exception {
    Context context = vertx.getOrCreateContext();
    AtomicInteger running = new AtomicInteger();
    List<Integer> overlaps = new CopyOnWriteArrayList<>();
    List<Boolean> onContext = new CopyOnWriteArrayList<>();
    AtomicInteger checks = new AtomicInteger();
    assertThat(await(poll(context, () -> {
      overlaps.add(running.incrementAndGet());
      onContext.add(Vertx.currentContext() == context);
      Promise<Boolean> slow = Promise.promise();
      // each answer comes well after the interval: a poll that did not wait for it would overlap
      vertx.setTimer(20, id -> {
        running.decrementAndGet();
        slow.complete(checks.incrementAndGet() == 5);
      });
      return slow.future();
    }, Duration.ofSeconds(30)))).isTrue();
    assertThat(overlaps).hasSize(5).containsOnly(1);
    assertThat(onContext).containsOnly(true);
  }
}
