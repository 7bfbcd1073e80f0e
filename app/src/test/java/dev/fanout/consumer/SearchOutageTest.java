package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutApp;
import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 30-second outage of the search engine during a steady publish load: the counter group keeps its pace,
 * the search group's circuit opens and its lag grows, then it drains; nothing is dead-lettered and the
 * audit ends empty.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchOutageTest {

  /** Publishes per second of the steady load; bounded in time by the phases below. */
  private static final int RATE = 50;
  private static final Duration BEFORE = Duration.ofSeconds(20);
  private static final int OUTAGE_SECONDS = 30;

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "6", "--retry-backoff-ms", "50", "--breaker-wait-ms", "2000");


  @Test
  void theCounterKeepsItsPaceWhileSearchIsDownAndSearchCatchesUp() throws Exception {
    AtomicLong published = new AtomicLong();
    AtomicReference<Throwable> publishFailure = new AtomicReference<>();
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    AtomicBoolean sawOpenCircuit = new AtomicBoolean();
    long maxSearchLag = 0;
    try {
      load.scheduleAtFixedRate(() -> {
        try {
          app.publish("author-" + (published.get() % 40), "steady " + published.get());
          published.incrementAndGet();
        } catch (Throwable e) {
          publishFailure.compareAndSet(null, e);
        }
      }, 0, 1000 / RATE, TimeUnit.MILLISECONDS);

      // warm up, then the no-fault window
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> published.get() >= RATE * 2L);
      Window before = Window.open(published, app);
      Awaitility.await().atMost(BEFORE.multipliedBy(3)).until(() -> before.elapsed().compareTo(BEFORE) >= 0);
      double normal = before.close(published, app);

      JsonObject outage = app.json(app.admin("POST", "/api/admin/faults",
          new JsonObject().put("sink", "search").put("mode", "outage").put("seconds", OUTAGE_SECONDS).encode()));
      assertThat(outage.getString("mode")).isEqualTo("outage");
      Window during = Window.open(published, app);
      long[] lag = {0};
      Awaitility.await().atMost(Duration.ofSeconds(OUTAGE_SECONDS * 3L)).pollInterval(Duration.ofMillis(250)).until(() -> {
        JsonObject search = app.group("search");
        lag[0] = Math.max(lag[0], search.getLong("lag"));
        if (!search.getJsonObject("figures").getString("circuit").equals("CLOSED")) {
          sawOpenCircuit.set(true);
        }
        return app.json(app.admin("GET", "/api/admin/faults", null)).getJsonArray("faults").isEmpty();
      });
      maxSearchLag = lag[0];
      double duringOutage = during.close(published, app);
      System.out.printf("counter pace: %.3f counted per published before, %.3f during the search outage; search lag peaked at %d%n",
          normal, duringOutage, maxSearchLag);
      assertThat(duringOutage).as("counter pace during the outage against before").isGreaterThanOrEqualTo(0.9 * normal);
    } finally {
      // no interrupt: an in-flight publish finishes and is counted, so `published` matches what was stored
      load.shutdown();
      assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).as("the load stopped").isTrue();
    }
    assertThat(publishFailure.get()).as("every publish was acknowledged").isNull();
    assertThat(sawOpenCircuit).as("the search circuit opened").isTrue();
    assertThat(maxSearchLag).as("search lag grew during the outage").isGreaterThan(RATE * 5L);

    long events = published.get();
    Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(app.group("search").getLong("lag")).isZero();
      assertThat(app.group("counter").getLong("lag")).isZero();
      assertThat(app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = 'search'")).isEqualTo(events);
      assertThat(app.audit().getJsonArray("discrepancies")).isEmpty();
    });
    assertThat(app.figures("search").getLong("retries")).isPositive();
    assertThat(app.figures("search").getLong("deadLetters")).isZero();
    assertThat(app.figures("search").getString("circuit")).isEqualTo("CLOSED");
    assertThat(deadLetters("search") + deadLetters("counter")).as("records in dead-letter topics").isZero();
  }

  private long deadLetters(String group) throws Exception {
    return app.endOffset(DeadLetters.topic(FanoutApp.EVENTS_TOPIC, group));
  }

  /** Counted events against published ones over a span of time. */
  private record Window(long startNanos, long published, long counted) {

    static Window open(AtomicLong published, RunningApp app) throws Exception {
      return new Window(System.nanoTime(), published.get(), app.figures("counter").getLong("processed"));
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** The counter's pace over the window: events counted per event published. */
    double close(AtomicLong publishedNow, RunningApp app) throws Exception {
      long counted = app.figures("counter").getLong("processed") - this.counted;
      long published = publishedNow.get() - this.published;
      System.out.printf("window of %d ms: %d published, %d counted%n", elapsed().toMillis(), published, counted);
      return published == 0 ? 0 : (double) counted / published;
    }
  }
}
