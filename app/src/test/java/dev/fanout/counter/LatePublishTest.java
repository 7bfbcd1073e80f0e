package dev.fanout.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import dev.fanout.events.BlogEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A publish the counter dead-letters, then the blog's delete, then a replay of the dead letter: the counter
 * applies the delete before it ever counted the publish, and the publish that comes back later is older
 * than what it applied. The count ends at 0 and the audit finds nothing. And a repair that re-sends such a
 * publish with a lost one knows that only the lost one will count. In order: a replay takes every dead letter
 * since the last replay.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LatePublishTest {

  private static final String AUTHOR = "late-author";

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "1", "--retry-attempts", "2",
      "--retry-backoff-ms", "20");

  @Test
  @Order(1)
  void aDeadLetteredPublishReplayedAfterItsDeleteLeavesTheCountAtZero() throws Exception {
    deadLetterPublishThenDelete(AUTHOR);
    JsonObject replay = app.json(app.admin("POST", "/api/admin/groups/counter/dead-letters/replay", null));
    assertThat(replay.getLong("replayed")).as(replay.encode()).isEqualTo(1);
    assertThat(replay.getLong("deadLetteredAgain")).isZero();

    assertThat(app.json(app.get("/api/authors/" + AUTHOR)).getLong("blogCount")).isZero();
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(app.audit().getJsonArray("discrepancies")).isEmpty());
  }

  @Test
  @Order(2)
  void aRepairThatReSendsALatePublishWithALostOneExpectsOnlyTheLostOneToCount() throws Exception {
    String author = "late-repair";
    deadLetterPublishThenDelete(author);
    UUID lost = UUID.randomUUID();
    Instant now = Instant.now();
    BlogEvent lostPublish = new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, lost, author, 1,
        "lost on the way", "a lost publish", List.of(), now, now);
    // the publisher's transaction, with the outbox row already marked sent: the stream never carried it
    RunningApp.await(app.app().database().pool().withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO blogs (blog_id, author_id, title, body, tags, version, published_at, updated_at) "
                + "VALUES ($1, $2, 'lost on the way', 'a lost publish', '{}', 1, now(), now())")
        .execute(Tuple.of(lost, author))
        .compose(v -> conn.preparedQuery("INSERT INTO outbox (event_id, event_type, event_key, blog_id, payload, "
                + "sent_at) VALUES ($1, $2, $3, $4, $5, now())")
            .execute(Tuple.of(lostPublish.eventId(), lostPublish.type().name(), author, lost,
                Buffer.buffer(lostPublish.encode()))))));
    assertThat(app.audit().getJsonArray("discrepancies")).contains(new JsonObject().put("kind", "count_mismatch")
        .put("authorId", author).put("expected", 1L).put("counted", 0L));

    HttpResponse<String> response = app.admin("POST", "/api/admin/audit/repair", null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject repaired = app.json(response);
    assertThat(repaired.getJsonArray("unrepairable")).as(repaired.encode()).isEqualTo(new JsonArray());

    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(app.audit().getJsonArray("discrepancies")).isEmpty());
    assertThat(app.json(app.get("/api/authors/" + author)).getLong("blogCount")).isEqualTo(1);
  }

  // The counter's database refuses to count the author's new blog (as an outage of one row would), so the
  // publish is dead-lettered; then the blog is deleted and the counter applies the delete.
  private void deadLetterPublishThenDelete(String author) throws Exception {
    long deadLettered = app.figures("counter").getLong("deadLetters");
    RunningApp.await(app.app().database().pool().query("ALTER TABLE author_stats ADD CONSTRAINT uncounted "
        + "CHECK (author_id <> '" + author + "' OR blog_count = 0)").execute());
    try {
      String blog = app.publish(author, "published, dead-lettered, deleted");
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
          app.figures("counter").getLong("deadLetters") == deadLettered + 1);

      HttpResponse<String> deleted = app.write("DELETE", "/api/blogs/" + blog, author, null);
      assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
      Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(app.queryLong("SELECT count(*) FROM processed_events p JOIN outbox o USING (event_id) "
            + "WHERE p.group_name = 'counter' AND o.event_type = 'BlogDeleted' AND o.event_key = $1", author))
            .as("the delete counted").isEqualTo(1);
        assertThat(app.group("counter").getLong("lag")).isZero();
      });
    } finally {
      RunningApp.await(app.app().database().pool().query("ALTER TABLE author_stats DROP CONSTRAINT uncounted").execute());
    }
  }
}
