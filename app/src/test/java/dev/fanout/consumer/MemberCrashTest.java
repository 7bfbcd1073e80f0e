package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Members crashed in the middle of their batches (slowed by injected latency so that a crash finds one in
 * flight): the abandoned batches are delivered again and the counter's dedupe keeps every event counted
 * exactly once; nothing is lost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemberCrashTest {

  private static final int BLOGS = 300;
  private static final int CRASHES = 3;

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "4", "--consumers-per-group", "2");


  @Test
  void crashedMembersLoseNothingAndCountNothingTwice() throws Exception {
    for (String sink : new String[] {"counter", "search"}) {
      assertThat(app.admin("POST", "/api/admin/faults",
          new JsonObject().put("sink", sink).put("mode", "latency").put("millis", 300).encode()).statusCode()).isEqualTo(201);
    }
    Set<String> crashed = new HashSet<>();
    int deletes = 0;
    for (int i = 0; i < BLOGS; i++) {
      String blogId = app.publish("author-" + (i % 17), "crash " + i);
      if (i % 10 == 0) {
        assertThat(app.write("DELETE", "/api/blogs/" + blogId, "author-" + (i % 17), null).statusCode()).isEqualTo(200);
        deletes++;
      }
      if (i % (BLOGS / CRASHES) == BLOGS / CRASHES / 2) {
        for (String group : new String[] {"counter", "search"}) {
          Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> app.figures(group).getInteger("batchesInFlight") > 0);
          HttpResponse<String> crash = app.admin("POST", "/api/admin/groups/" + group + "/crash", null);
          assertThat(crash.statusCode()).as(crash.body()).isEqualTo(200);
          crashed.add(app.json(crash).getString("crashed"));
        }
      }
    }
    assertThat(crashed).hasSize(CRASHES * 2);
    app.admin("DELETE", "/api/admin/faults", null);

    long events = BLOGS + deletes;
    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(app.group("counter").getLong("lag")).isZero();
      assertThat(app.group("search").getLong("lag")).isZero();
      assertThat(app.group("counter").getJsonArray("members")).hasSize(2);
      assertThat(app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = 'counter'")).isEqualTo(events);
      assertThat(app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = 'search'")).isEqualTo(events);
    });
    Map<String, Long> live = app.queryMap("SELECT author_id, count(*) FROM blogs WHERE NOT deleted GROUP BY author_id");
    Map<String, Long> counted = app.queryMap("SELECT author_id, blog_count FROM author_stats");
    assertThat(counted).isEqualTo(live);
    assertThat(live.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(BLOGS - deletes);
    assertThat(app.audit().getJsonArray("discrepancies")).isEmpty();
    assertThat(app.figures("counter").getLong("deadLetters")).isZero();
    // a crashed batch still finishes its transaction, then its records come again: handled twice, counted once
    assertThat(app.figures("counter").getLong("processed")).isGreaterThan(events);
  }
}
