package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.events.InvalidEventException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Retries, classification and the circuit breaker of one sink, on real Vert.x timers. */
class SinkGuardTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private final AtomicInteger retries = new AtomicInteger();
  // an outage of the sink while set: calls fail before they reach it, as an injected outage does
  private final AtomicBoolean down = new AtomicBoolean();
  private final SinkInterceptor outage = new SinkInterceptor() {
    @Override
    public <T> Future<T> around(String sink, Supplier<Future<T>> call) {
      return down.get() ? Future.failedFuture(new SinkUnavailable(sink + " is down")) : call.get();
    }
  };

  private SinkGuard guard(int attempts, long breakerWaitMillis) {
    return new SinkGuard(vertx, "search", new ResiliencePolicy(attempts, 5, breakerWaitMillis), outage,
        retries::incrementAndGet);
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void classifiesDataErrorsAsPermanentAndEverythingElseAsTransient() {
    assertThat(Failures.isPermanent(new InvalidEventException("bad"))).isTrue();
    assertThat(Failures.isPermanent(new PermanentFailure("bad"))).isTrue();
    assertThat(Failures.isPermanent(new PgException("check", "ERROR", "23514", "detail"))).isTrue();
    assertThat(Failures.isPermanent(new PgException("overflow", "ERROR", "22003", "detail"))).isTrue();
    assertThat(Failures.isPermanent(new RuntimeException("wrapped", new PermanentFailure("bad")))).isTrue();
    assertThat(Failures.isPermanent(new PgException("shutdown", "FATAL", "57P01", "detail"))).isFalse();
    assertThat(Failures.isPermanent(new SinkUnavailable("down"))).isFalse();
    assertThat(Failures.isPermanent(new java.util.concurrent.TimeoutException())).isFalse();
  }

  @Test
  void retriesTransientFailuresUntilTheCallSucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String result = await(guard(5, 60_000).call(() -> calls.incrementAndGet() < 3
        ? Future.failedFuture(new SinkUnavailable("down")) : Future.succeededFuture("ok"), false));
    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);
    assertThat(retries).hasValue(2);
  }

  @Test
  void givesUpAfterTheBudgetWithTheLastFailure() {
    AtomicInteger calls = new AtomicInteger();
    SinkGuard guard = guard(3, 60_000);
    assertThatThrownBy(() -> await(guard.call(() -> {
      calls.incrementAndGet();
      return Future.failedFuture(new SinkUnavailable("down"));
    }, false))).isInstanceOf(SinkUnavailable.class);
    assertThat(calls).hasValue(3);
  }

  @Test
  void aBatchIsNotRetriedForAPermanentFailureButASingleEventIs() {
    SinkGuard guard = guard(4, 60_000);
    AtomicInteger batchCalls = new AtomicInteger();
    assertThatThrownBy(() -> await(guard.call(() -> {
      batchCalls.incrementAndGet();
      return Future.failedFuture(new PermanentFailure("bad row"));
    }, false))).isInstanceOf(PermanentFailure.class);
    assertThat(batchCalls).hasValue(1);

    AtomicInteger eventCalls = new AtomicInteger();
    assertThatThrownBy(() -> await(guard.call(() -> {
      eventCalls.incrementAndGet();
      return Future.failedFuture(new PermanentFailure("bad row"));
    }, true))).isInstanceOf(PermanentFailure.class);
    assertThat(eventCalls).hasValue(4);
    // bad data says nothing about the sink's health
    assertThat(guard.breaker().getState().name()).isEqualTo("CLOSED");
  }

  @Test
  void anOutageOpensTheCircuitWhichRefusesCallsThenProbesAndCloses() throws Exception {
    SinkGuard guard = guard(1, 300);
    down.set(true);
    AtomicInteger reached = new AtomicInteger();
    for (int i = 0; i < ResiliencePolicy.BREAKER_MIN_CALLS; i++) {
      assertThatThrownBy(() -> await(guard.call(() -> {
        reached.incrementAndGet();
        return Future.succeededFuture();
      }, false))).isInstanceOf(SinkUnavailable.class);
    }
    assertThat(reached).as("an outage fails calls before they reach the sink").hasValue(0);
    assertThat(guard.breaker().getState().name()).isEqualTo("OPEN");
    assertThatThrownBy(() -> await(guard.call(() -> Future.succeededFuture("x"), false)))
        .isInstanceOf(CallNotPermittedException.class);

    down.set(false);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
        assertThat(await(guard.call(() -> Future.succeededFuture("probe"), false))).isEqualTo("probe"));
    assertThat(guard.breaker().getState().name()).isEqualTo("CLOSED");
  }
}
