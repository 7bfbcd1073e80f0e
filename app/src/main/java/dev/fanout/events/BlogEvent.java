package dev.fanout.events;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The one event a blog change produces, as it travels on the stream: JSON, keyed by author, with a schema
 * version so that consumers can refuse what they do not understand. BlogDeleted carries no content.
 *
 * @param version the blog's version after the change: 1 when published, +1 per update and for the delete
 */
public record BlogEvent(UUID eventId, Type type, UUID blogId, String authorId, int version, String title,
                        String body, List<String> tags, Instant publishedAt, Instant occurredAt) {

  /** The payload schema this code writes and reads. */
  public static final int SCHEMA_VERSION = 1;

  public static final String HEADER_EVENT_ID = "event-id";
  public static final String HEADER_TYPE = "event-type";
  public static final String HEADER_SCHEMA = "schema-version";

  public enum Type { BlogPublished, BlogUpdated, BlogDeleted }

  public BlogEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(blogId, "blogId");
    Objects.requireNonNull(authorId, "authorId");
    Objects.requireNonNull(occurredAt, "occurredAt");
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** The stream headers that go with the payload. */
  public Map<String, String> headers() {
    return headers(eventId, type.name());
  }

  /** The stream headers of an event known only by its id and type (as the outbox stores it). */
  public static Map<String, String> headers(UUID eventId, String type) {
    return Map.of(HEADER_EVENT_ID, eventId.toString(), HEADER_TYPE, type,
        HEADER_SCHEMA, Integer.toString(SCHEMA_VERSION));
  }

  /** The event id a record's headers name, or null when they name none (or no valid one). */
  public static UUID idIn(Map<String, String> headers) {
    String id = headers == null ? null : headers.get(HEADER_EVENT_ID);
    if (id == null) {
      return null;
    }
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public byte[] encode() {
    JsonObject json = new JsonObject()
        .put("schemaVersion", SCHEMA_VERSION)
        .put("eventId", eventId.toString())
        .put("type", type.name())
        .put("blogId", blogId.toString())
        .put("authorId", authorId)
        .put("version", version)
        .put("occurredAt", occurredAt.toString());
    if (type != Type.BlogDeleted) {
      json.put("title", title).put("body", body).put("tags", new JsonArray(tags))
          .put("publishedAt", publishedAt == null ? null : publishedAt.toString());
    }
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a payload.
   *
   * @throws InvalidEventException when it is not a well-formed event of a known schema: a permanent
   *                               failure, retrying cannot help
   */
  public static BlogEvent decode(byte[] payload) {
    JsonObject json;
    try {
      json = new JsonObject(new String(payload, StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      throw new InvalidEventException("payload is not a JSON object");
    }
    try {
      Integer schema = json.getInteger("schemaVersion");
      if (schema == null || schema != SCHEMA_VERSION) {
        throw new InvalidEventException("unsupported schemaVersion " + schema);
      }
      Type type = Type.valueOf(required(json, "type"));
      List<String> tags = new ArrayList<>();
      JsonArray tagArray = json.getJsonArray("tags");
      if (tagArray != null) {
        for (Object tag : tagArray) {
          if (!(tag instanceof String text)) {
            throw new InvalidEventException("tags must be strings");
          }
          tags.add(text);
        }
      }
      Integer version = json.getInteger("version");
      if (version == null || version < 1) {
        throw new InvalidEventException("version must be a positive number");
      }
      String publishedAt = json.getString("publishedAt");
      if (type == Type.BlogDeleted) {
        // a delete carries no content, whatever else the payload holds
        return new BlogEvent(UUID.fromString(required(json, "eventId")), type, UUID.fromString(required(json, "blogId")),
            required(json, "authorId"), version, null, null, List.of(), null, Instant.parse(required(json, "occurredAt")));
      }
      // a published or updated blog always has content; an event without it cannot be indexed
      return new BlogEvent(UUID.fromString(required(json, "eventId")), type,
          UUID.fromString(required(json, "blogId")), required(json, "authorId"), version,
          required(json, "title"), required(json, "body"), tags,
          publishedAt == null ? null : Instant.parse(publishedAt), Instant.parse(required(json, "occurredAt")));
    } catch (ClassCastException | IllegalArgumentException | DateTimeParseException | NullPointerException e) {
      if (e instanceof InvalidEventException invalid) {
        throw invalid;
      }
      throw new InvalidEventException("malformed event: " + e.getMessage());
    }
  }

  private static String required(JsonObject json, String field) {
    String value = json.getString(field);
    if (value == null) {
      throw new InvalidEventException("missing field " + field);
    }
    return value;
  }
}
