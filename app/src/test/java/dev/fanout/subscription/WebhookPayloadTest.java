package dev.fanout.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.BlogEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The JSON a subscriber receives for each kind of blog event, and for a snapshot of a stored blog. */
class WebhookPayloadTest {

  private static final UUID EVENT = UUID.fromString("5f0c6a1e-0000-4000-8000-000000000001");
  private static final UUID BLOG = UUID.fromString("b1000000-0000-4000-8000-000000000002");
  private static final Instant PUBLISHED = Instant.parse("2026-12-01T10:00:00Z");
  private static final Instant OCCURRED = Instant.parse("2026-12-01T10:05:30.123Z");

  private static JsonObject json(WebhookPayload payload) {
    return new JsonObject(new String(payload.body(), StandardCharsets.UTF_8));
  }

  @Test
  void aPublishOrUpdateCarriesTheBlogAndIsIdentifiedByItsEventId() {
    for (BlogEvent.Type type : List.of(BlogEvent.Type.BlogPublished, BlogEvent.Type.BlogUpdated)) {
      WebhookPayload payload = WebhookPayload.of(new BlogEvent(EVENT, type, BLOG, "alice", 2, "Title", "Body",
          List.of("java", "vertx"), PUBLISHED, OCCURRED));
      JsonObject json = json(payload);
      assertThat(payload.id()).isEqualTo(EVENT.toString());
      assertThat(json.fieldNames()).containsExactlyInAnyOrder("type", "timestamp", "data");
      assertThat(json.getString("type")).isEqualTo(type == BlogEvent.Type.BlogPublished ? "blog.published" : "blog.updated");
      assertThat(payload.type()).isEqualTo(json.getString("type"));
      assertThat(json.getString("timestamp")).isEqualTo("2026-12-01T10:05:30.123Z");
      assertThat(json.getJsonObject("data").getMap()).containsOnlyKeys("eventId", "blogId", "authorId", "version",
          "title", "body", "tags", "publishedAt", "occurredAt");
      JsonObject data = json.getJsonObject("data");
      assertThat(data.getString("eventId")).isEqualTo(EVENT.toString());
      assertThat(data.getString("blogId")).isEqualTo(BLOG.toString());
      assertThat(data.getString("authorId")).isEqualTo("alice");
      assertThat(data.getInteger("version")).isEqualTo(2);
      assertThat(data.getString("title")).isEqualTo("Title");
      assertThat(data.getString("body")).isEqualTo("Body");
      assertThat(data.getJsonArray("tags").getList()).containsExactly("java", "vertx");
      assertThat(data.getString("publishedAt")).isEqualTo("2026-12-01T10:00:00Z");
      assertThat(data.getString("occurredAt")).isEqualTo("2026-12-01T10:05:30.123Z");
    }
  }

  @Test
  void aDeleteCarriesOnlyWhichBlogItWas() {
    WebhookPayload payload = WebhookPayload.of(new BlogEvent(EVENT, BlogEvent.Type.BlogDeleted, BLOG, "alice", 3,
        null, null, List.of(), null, OCCURRED));
    JsonObject json = json(payload);
    assertThat(json.getString("type")).isEqualTo("blog.deleted");
    assertThat(json.getJsonObject("data").getMap())
        .containsOnlyKeys("eventId", "blogId", "authorId", "version", "occurredAt");
    assertThat(json.getJsonObject("data").getInteger("version")).isEqualTo(3);
  }

  @Test
  void aSnapshotComesFromPlainValuesWithAnIdOfItsBlogAndVersion() {
    Instant updated = Instant.parse("2026-12-02T08:00:00Z");
    WebhookPayload payload = WebhookPayload.snapshot(BLOG, "bob", 4, "T", "B", List.of("x"), null, updated);
    JsonObject json = json(payload);
    assertThat(payload.id()).isEqualTo("snapshot-" + BLOG + "-4");
    assertThat(json.getString("type")).isEqualTo("blog.snapshot");
    assertThat(json.getString("timestamp")).isEqualTo("2026-12-02T08:00:00Z");
    JsonObject data = json.getJsonObject("data");
    assertThat(data.getMap()).containsOnlyKeys("blogId", "authorId", "version", "title", "body", "tags",
        "publishedAt", "occurredAt");
    assertThat(data.getString("publishedAt")).isNull();
    assertThat(data.getString("occurredAt")).isEqualTo("2026-12-02T08:00:00Z");
  }

  @Test
  void theBodyIsEncodedOnceAndHandedOutAsACopy() {
    WebhookPayload payload = WebhookPayload.snapshot(BLOG, "bob", 1, "T", "B", List.of(), PUBLISHED, PUBLISHED);
    byte[] first = payload.body();
    first[0] = 'X';
    assertThat(payload.body()).isNotEqualTo(first).hasSize(payload.size());
  }
}
