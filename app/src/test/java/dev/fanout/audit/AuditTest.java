package dev.fanout.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import dev.fanout.events.BlogEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The audit and its repair against the running app (embedded PostgreSQL, in-memory stream, Lucene). Gaps
 * are made the way a lost in-flight event leaves them: the blog row and its outbox row are written in SQL
 * with the outbox row already marked sent, so the stream never carries the event.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditTest {

  private static final Duration SETTLE = Duration.ofSeconds(60);

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "4");


  @Test
  @Order(1)
  void repairClosesTheGapsLostEventsLeave() throws Exception {
    String alice = "audit-alice";
    String bob = "audit-bob";
    String carol = "audit-carol";
    String a1 = publish(alice, "first of alice");
    publish(alice, "second of alice");
    update(a1, alice, "first of alice, edited");
    String b1 = publish(bob, "first of bob");
    String b2 = publish(bob, "second of bob");
    delete(b1, bob);
    String c1 = publish(carol, "the only one of carol");
    awaitAuditEmpty();
    JsonObject settled = audit();
    assertThat(settled.getJsonObject("checked"))
        .isEqualTo(new JsonObject().put("blogs", 5).put("authors", 3).put("indexed", 5));
    assertThat(settled.getJsonObject("truncated"))
        .isEqualTo(new JsonObject().put("index", false).put("discrepancies", false));

    UUID lost = UUID.randomUUID();
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    lostEvent(new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, lost, alice, 1, "zebrafinch sighting",
            "a lost publish", List.of("birds"), now.toInstant(), now.toInstant()),
        "INSERT INTO blogs (blog_id, author_id, title, body, tags, version, published_at, updated_at) "
            + "VALUES ($1, $2, 'zebrafinch sighting', 'a lost publish', '{birds}', 1, now(), now())",
        lost, alice);
    lostEvent(new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogUpdated, UUID.fromString(b2), bob, 2,
            "quokka edition", "a lost update", List.of(), now.toInstant(), now.toInstant()),
        "UPDATE blogs SET title = 'quokka edition', body = 'a lost update', version = 2 "
            + "WHERE blog_id = $1 AND author_id = $2", UUID.fromString(b2), bob);
    lostEvent(new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogDeleted, UUID.fromString(c1), carol, 2,
            null, null, List.of(), null, now.toInstant()),
        "UPDATE blogs SET deleted = true, version = 2 WHERE blog_id = $1 AND author_id = $2",
        UUID.fromString(c1), carol);

    List<JsonObject> expected = List.of(
        count(alice, 3, 2),
        blog("missing_from_index", lost.toString(), alice).put("version", 1).put("deleted", false),
        blog("stale_in_index", b2, bob).put("version", 2).put("indexedVersion", 1),
        blog("deleted_but_searchable", c1, carol).put("version", 2).put("indexedVersion", 1),
        count(carol, 0, 1));
    JsonObject damaged = audit();
    assertThat(discrepancies(damaged)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(damaged.getJsonObject("checked").getInteger("blogs")).isEqualTo(6);

    JsonObject repaired = repair();
    // the lost publish, both events of bob's blog and of carol's; carol's uncounted delete is among them
    assertThat(repaired.getInteger("reemitted")).as(repaired.encode()).isEqualTo(5);
    assertThat(repaired.getInteger("discrepancies")).isEqualTo(5);
    assertThat(repaired.getJsonArray("unrepairable")).isEmpty();

    awaitAuditEmpty();
    assertThat(blogCount(alice)).isEqualTo(3);
    assertThat(blogCount(bob)).isEqualTo(1);
    assertThat(blogCount(carol)).isZero();
    assertThat(searchIds("zebrafinch")).containsExactly(lost.toString());
    assertThat(searchIds("quokka")).containsExactly(b2);
    assertThat(searchIds("carol")).isEmpty();
  }

  @Test
  @Order(2)
  void whatReSendingCannotFixIsReportedAsUnrepairable() throws Exception {
    String dave = "audit-dave";
    String d1 = publish(dave, "first of dave");
    publish(dave, "second of dave");
    awaitAuditEmpty();

    // as after restoring the database from a backup older than the index
    assertThat(app.queryLong("WITH d AS (DELETE FROM blogs WHERE blog_id = $1 RETURNING 1) SELECT count(*) FROM d",
        UUID.fromString(d1))).isEqualTo(1);
    List<JsonObject> expected = List.of(
        blog("missing_from_table", d1, dave).put("indexedVersion", 1).put("indexedDeleted", false),
        count(dave, 1, 2));
    assertThat(discrepancies(audit())).containsExactlyInAnyOrderElementsOf(expected);

    JsonObject repaired = repair();
    assertThat(repaired.getInteger("reemitted")).isZero();
    assertThat(repaired.getInteger("discrepancies")).isEqualTo(2);
    JsonArray unrepairable = repaired.getJsonArray("unrepairable");
    assertThat(unrepairable).hasSize(2);
    List<JsonObject> withoutReasons = new ArrayList<>();
    for (int i = 0; i < unrepairable.size(); i++) {
      JsonObject entry = unrepairable.getJsonObject(i).copy();
      assertThat(entry.getString("reason")).isNotBlank();
      entry.remove("reason");
      withoutReasons.add(entry);
    }
    assertThat(withoutReasons).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(discrepancies(audit())).containsExactlyInAnyOrderElementsOf(expected);
  }

  // Writes what the publisher would (a blog change and its outbox row, in one transaction) but with the
  // row already marked sent, as if the event was lost between the relay and the stream.
  private void lostEvent(BlogEvent event, String blogSql, Object... blogParams) throws Exception {
    RunningApp.await(app.app().database().pool().withTransaction(conn -> conn.preparedQuery(blogSql)
        .execute(Tuple.from(blogParams))
        .compose(rows -> {
          assertThat(rows.rowCount()).isEqualTo(1);
          return conn.preparedQuery("INSERT INTO outbox (event_id, event_type, event_key, blog_id, payload, sent_at) "
                  + "VALUES ($1, $2, $3, $4, $5, now())")
              .execute(Tuple.of(event.eventId(), event.type().name(), event.authorId(), event.blogId(),
                  Buffer.buffer(event.encode())));
        })));
  }

  private String publish(String author, String title) throws Exception {
    HttpResponse<String> response = app.write("POST", "/api/blogs", author, draft(author, title));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return app.json(response).getString("blogId");
  }

  private void update(String blogId, String author, String title) throws Exception {
    HttpResponse<String> response = app.write("PUT", "/api/blogs/" + blogId, author, draft(author, title));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private void delete(String blogId, String author) throws Exception {
    HttpResponse<String> response = app.write("DELETE", "/api/blogs/" + blogId, author, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static JsonObject draft(String author, String title) {
    return new JsonObject().put("authorId", author).put("title", title).put("body", "text of " + title)
        .put("tags", new JsonArray());
  }

  private JsonObject audit() throws Exception {
    assertThat(app.get("/api/audit").statusCode()).as("the audit without the admin token").isEqualTo(401);
    HttpResponse<String> response = app.admin("GET", "/api/audit", null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return app.json(response);
  }

  private JsonObject repair() throws Exception {
    HttpResponse<String> response = app.admin("POST", "/api/admin/audit/repair", null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return app.json(response);
  }

  private static List<JsonObject> discrepancies(JsonObject audit) {
    JsonArray array = audit.getJsonArray("discrepancies");
    List<JsonObject> list = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      list.add(array.getJsonObject(i));
    }
    return list;
  }

  private void awaitAuditEmpty() {
    Awaitility.await().atMost(SETTLE).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(discrepancies(audit())).isEmpty());
  }

  private long blogCount(String author) throws Exception {
    return app.json(app.get("/api/authors/" + author)).getLong("blogCount");
  }

  private List<String> searchIds(String query) throws Exception {
    HttpResponse<String> response = app.get("/api/search?q=" + query);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonArray hits = app.json(response).getJsonArray("hits");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < hits.size(); i++) {
      ids.add(hits.getJsonObject(i).getString("blogId"));
    }
    return ids;
  }

  private static JsonObject count(String author, long expected, long counted) {
    return new JsonObject().put("kind", "count_mismatch").put("authorId", author).put("expected", expected)
        .put("counted", counted);
  }

  private static JsonObject blog(String kind, String blogId, String author) {
    return new JsonObject().put("kind", kind).put("blogId", blogId).put("authorId", author);
  }
}
