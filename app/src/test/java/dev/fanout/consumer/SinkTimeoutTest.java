package dev.fanout.consumer;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutApp;
import dev.fanout.app.RunningApp;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A counter transaction that hangs on a lock: another session holds {@code author_stats} locked against
 * writes. The counter's sink calls fail after {@code --sink-timeout-ms}, its breaker opens and its group
 * pauses, while the search group, which shares the database but not the table, goes on. Once the lock is
 * released the counter catches up, counting every event once, with nothing dead-lettered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SinkTimeoutTest {

  private static final int AUTHORS = 8;

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "4", "--retry-backoff-ms", "50",
      "--breaker-wait-ms", "1000", "--sink-timeout-ms", "1000");

  private static ConditionFactory within(Duration atMost) {
    return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(200));
  }

  @Test
  void aCounterCallHungOnALockFailsAfterTheBoundOpensTheBreakerAndCatchesUpOnceReleased() throws Exception {
    Map<String, Long> expected = new TreeMap<>();
    publish(expected, 0, 16);
    within(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(app.group("counter").getLong("lag")).isZero();
      assertThat(app.group("search").getLong("lag")).isZero();
    });

    SqlConnection locker = await(app.app().database().pool().getConnection());
    Transaction lock = await(locker.begin());
    try {
      // blocks the counter's INSERT and UPDATE; reads (the audit, /api/authors) still go through
      await(locker.query("LOCK TABLE author_stats IN EXCLUSIVE MODE").execute());
      publish(expected, 16, 40);

      within(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(app.figures("counter").getString("circuit")).isEqualTo("OPEN");
        assertThat(app.group("counter").getLong("lag")).isPositive();
      });
      assertThat(app.figures("counter").getLong("retries")).as("timed-out attempts were retried").isPositive();

      // search goes on, during the counter's open circuit and its probes, with new events too
      publish(expected, 40, 60);
      long published = expected.values().stream().mapToLong(Long::longValue).sum();
      within(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(app.group("search").getLong("lag")).isZero();
        assertThat(app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = 'search'"))
            .isEqualTo(published);
      });
      assertThat(app.figures("search").getString("circuit")).isEqualTo("CLOSED");
      assertThat(app.group("counter").getLong("lag")).as("the counter still waits for the lock").isPositive();
    } finally {
      await(lock.rollback());
      await(locker.close());
    }

    within(Duration.ofSeconds(90)).untilAsserted(() -> {
      assertThat(app.group("counter").getLong("lag")).isZero();
      assertThat(app.queryMap("SELECT author_id, blog_count FROM author_stats WHERE author_id LIKE 'locked-%'"))
          .isEqualTo(expected);
      assertThat(app.figures("counter").getString("circuit")).isEqualTo("CLOSED");
    });
    assertThat(app.figures("counter").getLong("deadLetters")).isZero();
    assertThat(app.endOffset(DeadLetters.topic(FanoutApp.EVENTS_TOPIC, "counter"))).isZero();
    assertThat(app.audit().getJsonArray("discrepancies")).isEmpty();
  }

  private void publish(Map<String, Long> expected, int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      String author = "locked-" + (i % AUTHORS);
      app.publish(author, "blog " + i);
      expected.merge(author, 1L, Long::sum);
    }
  }
}
