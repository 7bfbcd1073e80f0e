package dev.fanout.counter;

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
 * A publish the counter dead-letters, then the blog's delete, then a replay of the dead letter: the counter
 * applies the delete before it ever counted the publish, and the publish that comes back later is older
 * than what it applied. The count ends at 0 and the audit finds nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LatePublishTest {

  private static final String AUTHOR = "late-author";

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "1", "--retry-attempts", "2",
      "--retry-backoff-ms", "20");

  @Test
  void aDeadLetteredPublishReplayedAfterItsDeleteLeavesTheCountAtZero() throws Exception {
    long deadLettered = app.figures("counter").getLong("deadLetters");
    // the counter's database refuses to count this author's blog, as an outage of one row would
    RunningApp.await(app.app().database().pool().query("ALTER TABLE author_stats ADD CONSTRAINT late_author_uncounted "
        + "CHECK (author_id <> '" + AUTHOR + "' OR blog_count = 0)").execute());
    String blog = app.publish(AUTHOR, "published, dead-lettered, deleted");
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
        app.figures("counter").getLong("deadLetters") == deadLettered + 1);

    HttpResponse<String> deleted = app.write("DELETE", "/api/blogs/" + blog, AUTHOR, null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(app.queryLong("SELECT count(*) FROM processed_events p JOIN outbox o USING (event_id) "
          + "WHERE p.group_name = 'counter' AND o.event_type = 'BlogDeleted' AND o.event_key = $1", AUTHOR))
          .as("the delete counted").isEqualTo(1);
      assertThat(app.group("counter").getLong("lag")).isZero();
    });

    RunningApp.await(app.app().database().pool().query(
        "ALTER TABLE author_stats DROP CONSTRAINT late_author_uncounted").execute());
    JsonObject replay = app.json(app.admin("POST", "/api/admin/groups/counter/dead-letters/replay", null));
    assertThat(replay.getLong("replayed")).as(replay.encode()).isEqualTo(1);
    assertThat(replay.getLong("deadLetteredAgain")).isZero();

    assertThat(app.json(app.get("/api/authors/" + AUTHOR)).getLong("blogCount")).isZero();
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(app.audit().getJsonArray("discrepancies")).isEmpty());
  }
}
