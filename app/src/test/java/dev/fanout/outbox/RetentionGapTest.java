package dev.fanout.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On the embedded default (in-memory stream whose partitions share a quarter of the heap: with surefire's 1 GiB
 * and 64 partitions, under 4 MB each), a search outage long enough for
 * the search group's committed offset to fall out of the stream's retention: once the outage ends, every
 * blog becomes searchable without a restart or a repair, because the relay re-sends what the group lost, and
 * only that: what was still in the log is not sent again (which would push out what the group was about to
 * read).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionGapTest {

  /** About 100 KB a record: a partition keeps under 40 of them. */
  private static final String BODY = "retained ".repeat(11_000);
  private static final int MAX_PUBLISHES = 1_200;
  /** Enough lost records that the ratio of sent again to lost is not decided by one record. */
  private static final long LOST_AT_LEAST = 20;

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "64", "--retry-backoff-ms", "10", "--retry-attempts", "1",
      "--breaker-wait-ms", "300", "--publish-rate-limit", "0");

  private long offsetResets(String group) throws Exception {
    return app.group(group).getLong("offsetResets");
  }

  // the search group handled nothing, so every record that left the log (below each partition's log start,
  // which its committed offset follows at each reset) left it unread
  private long lost() throws Exception {
    return RunningApp.await(app.app().stream().admin().listTopics()).stream()
        .filter(t -> t.name().equals("blog-events"))
        .flatMap(t -> t.partitions().stream()).mapToLong(p -> p.startOffset()).sum();
  }

  @Test
  void aGroupThatLostRecordsToRetentionCatchesUpByItself() throws Exception {
    HttpResponse<String> outage = app.admin("POST", "/api/admin/faults",
        new JsonObject().put("sink", "search").put("mode", "outage").put("seconds", 600).encode());
    assertThat(outage.statusCode()).as(outage.body()).isEqualTo(201);

    int published = 0;
    while (offsetResets("search") == 0 || lost() < LOST_AT_LEAST) {
      assertThat(published).as("publishes before the search group's offset fell out of retention")
          .isLessThan(MAX_PUBLISHES);
      for (int i = 0; i < 20; i++, published++) {
        HttpResponse<String> response = app.write("POST", "/api/blogs", "author-" + published % 3, new JsonObject()
            .put("authorId", "author-" + published % 3).put("title", "kept " + published).put("body", BODY));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
      }
      // the search members wait out the open circuit; each probe reads from the committed offset
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
          app.group("counter").getLong("lag") == 0 || offsetResets("search") > 0 && lost() >= LOST_AT_LEAST);
    }

    // the outage began before the first publish, so every record below the search group's committed offset
    // left the log before it read it: lost
    assertThat(app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = 'search'")).isZero();
    long lost = lost();
    HttpResponse<String> cleared = app.admin("DELETE", "/api/admin/faults", null);
    assertThat(cleared.statusCode()).isEqualTo(200);
    int all = published;
    Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      JsonObject audit = app.audit();
      assertThat(audit.getJsonArray("discrepancies")).as("the audit after the outage").isEmpty();
      assertThat(audit.getJsonObject("checked").getLong("indexed")).isEqualTo(all);
    });
    // one record per publish, the rest are sends again
    long resent = app.endOffset("blog-events") - all;
    System.out.printf("retention gap: %d published, %d lost, %d sent again (%.2f x), %d offset resets%n", all, lost,
        resent, (double) resent / lost, offsetResets("search"));
    assertThat(lost).isPositive();
    assertThat((double) resent / lost).as("sent again (%d) per lost (%d)", resent, lost).isLessThanOrEqualTo(1.2);
  }
}
