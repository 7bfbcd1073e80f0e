package dev.fanout.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The first start goes at once; one within the gap is held back and asked for again, once, by one timer. */
class StartGapTest {

  private static Vertx vertx;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void aStartWithinTheGapIsHeldBackAndAskedForAgainOnceByOneTimer() {
    StartGap gap = StartGap.of(vertx, 300_000);
    AtomicInteger retries = new AtomicInteger();
    assertThat(gap.tryStart(retries::incrementAndGet)).as("the first goes at once").isTrue();
    assertThat(gap.tryStart(retries::incrementAndGet)).as("within the gap: held").isFalse();
    assertThat(gap.tryStart(retries::incrementAndGet)).as("still held, no second timer").isFalse();
    await().atMost(Duration.ofSeconds(30)).until(() -> retries.get() >= 1);
    assertThat(gap.tryStart(() -> { })).as("asked again after the gap: goes").isTrue();
    assertThat(retries.get()).as("one timer for the two held starts").isEqualTo(1);
  }

  @Test
  void aRecordedStartHoldsTheNextOneBackAndNoGapHoldsNothing() {
    StartGap gap = StartGap.of(vertx, TimeUnit.MINUTES.toMicros(10));
    gap.started();
    assertThat(gap.tryStart(() -> { })).as("ten minutes after a recorded start at the earliest").isFalse();
    StartGap none = StartGap.of(vertx, 0);
    assertThat(none.tryStart(() -> { })).isTrue();
    assertThat(none.tryStart(() -> { })).isTrue();
    assertThatThrownBy(() -> StartGap.of(vertx, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
