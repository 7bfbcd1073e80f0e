package dev.fanout.subscription;

import dev.fanout.events.BlogEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What one webhook request carries: its {@code webhook-id} and its JSON body
 * {@code {"type", "timestamp", "data"}}, encoded once, so that every attempt sends (and signs) the same bytes.
 *
 * <ul>
 *   <li>From a {@link BlogEvent}: {@code type} {@code blog.published}, {@code blog.updated} or
 *       {@code blog.deleted}; {@code timestamp} the event's {@code occurredAt}; {@code data}
 *       {@code {eventId, blogId, authorId, version, title, body, tags, publishedAt, occurredAt}}, a delete only
 *       {@code {eventId, blogId, authorId, version, occurredAt}}. The webhook id is the event id, so a
 *       receiver deduplicates redeliveries by it.</li>
 *   <li>A {@link #snapshot snapshot} of a stored blog (a subscription's first fill, from a table row):
 *       {@code type} {@code blog.snapshot}, webhook id {@code snapshot-<blogId>-<version>}, data
 *       {@code {blogId, authorId, version, title, body, tags, publishedAt, occurredAt}} where
 *       {@code occurredAt} (and the timestamp) is the row's last update.</li>
 * </ul>
 *
 * Instants are ISO-8601 ({@link Instant#toString()}). Immutable.
 */
public final class WebhookPayload {

  public static final String PUBLISHED = "blog.published";
  public static final String UPDATED = "blog.updated";
  public static final String DELETED = "blog.deleted";
  public static final String SNAPSHOT = "blog.snapshot";

  private final String id;
  private final String type;
  private final byte[] body;

  private WebhookPayload(String id, String type, Instant timestamp, JsonObject data) {
    this.id = id;
    this.type = type;
    this.body = new JsonObject().put("type", type).put("timestamp", timestamp.toString()).put("data", data)
        .encode().getBytes(StandardCharsets.UTF_8);
  }

  /** The webhook of one blog event. */
  public static WebhookPayload of(BlogEvent event) {
    JsonObject data = new JsonObject()
        .put("eventId", event.eventId().toString())
        .put("blogId", event.blogId().toString())
        .put("authorId", event.authorId())
        .put("version", event.version());
    if (event.type() != BlogEvent.Type.BlogDeleted) {
      content(data, event.title(), event.body(), event.tags(), event.publishedAt());
    }
    data.put("occurredAt", event.occurredAt().toString());
    return new WebhookPayload(event.eventId().toString(), typeOf(event.type()), event.occurredAt(), data);
  }

  /**
   * The webhook of a stored blog as it is now, from a row's values.
   *
   * @param publishedAt may be null
   * @param updatedAt   when the row was last written: the payload's timestamp and {@code occurredAt}
   */
  public static WebhookPayload snapshot(UUID blogId, String authorId, int version, String title, String body,
                                        List<String> tags, Instant publishedAt, Instant updatedAt) {
    Objects.requireNonNull(blogId, "blogId");
    Objects.requireNonNull(authorId, "authorId");
    Objects.requireNonNull(updatedAt, "updatedAt");
    JsonObject data = new JsonObject()
        .put("blogId", blogId.toString())
        .put("authorId", authorId)
        .put("version", version);
    content(data, title, body, tags == null ? List.of() : tags, publishedAt);
    data.put("occurredAt", updatedAt.toString());
    return new WebhookPayload("snapshot-" + blogId + "-" + version, SNAPSHOT, updatedAt, data);
  }

  /** The webhook type of an event type. */
  public static String typeOf(BlogEvent.Type type) {
    return switch (type) {
      case BlogPublished -> PUBLISHED;
      case BlogUpdated -> UPDATED;
      case BlogDeleted -> DELETED;
    };
  }

  private static void content(JsonObject data, String title, String body, List<String> tags, Instant publishedAt) {
    data.put("title", title)
        .put("body", body)
        .put("tags", new JsonArray(List.copyOf(tags)))
        .put("publishedAt", publishedAt == null ? null : publishedAt.toString());
  }

  /** The {@code webhook-id}: the same for every attempt of this payload. */
  public String id() {
    return id;
  }

  /** {@code blog.published}, {@code blog.updated}, {@code blog.deleted} or {@code blog.snapshot}. */
  public String type() {
    return type;
  }

  /** The JSON body, UTF-8; a copy. */
  public byte[] body() {
    return body.clone();
  }

  /** The body's length in bytes. */
  public int size() {
    return body.length;
  }

  // the bytes themselves, for the client in this package, which neither changes nor keeps them
  byte[] bytes() {
    return body;
  }

  @Override
  public String toString() {
    return "WebhookPayload(" + type + " " + id + ")";
  }
}
