package dev.fanout.publisher;

import dev.fanout.core.AuthorId;
import dev.fanout.core.Refusal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A validated request body of {@code POST /api/blogs} and {@code PUT /api/blogs/{id}}:
 * {@code {authorId, title, body, tags[]}}, with the author it is written as.
 */
public record BlogDraft(String authorId, String title, String body, List<String> tags) {

  public static final int MAX_TITLE = 300;
  public static final int MAX_BODY = 100_000;
  public static final int MAX_TAGS = 10;
  public static final int MAX_TAG = 40;

  /**
   * Validates a request body written by {@code caller}: the author a verified token names, whose blog it
   * is; {@code authorId} may then be left out of the body, and must name the caller if it is there. With no
   * caller (authentication off) the body's {@code authorId} is required.
   *
   * @throws Refusal an {@link Refusal.Kind#INVALID} one naming the first bad field, or a
   *                 {@link Refusal.Kind#FORBIDDEN} one when the body names an author other than the caller
   */
  public static BlogDraft parse(JsonObject json, String caller) {
    Object given = json.getValue("authorId");
    String authorId = caller != null && given == null ? caller : AuthorId.check(given);
    if (caller != null && !caller.equals(authorId)) {
      throw Refusal.notOwner("authorId '" + authorId + "' is not the author this token belongs to ('" + caller
          + "'); leave authorId out or send the author's own token", "authorId");
    }
    String title = string(json, "title", 1, MAX_TITLE);
    if (title.isBlank()) {
      throw Refusal.invalid("title", "title must not be blank");
    }
    String body = string(json, "body", 0, MAX_BODY);
    List<String> tags = tags(json.getValue("tags"));
    return new BlogDraft(authorId, title, body, tags);
  }

  /** A fingerprint of the request, to tell a retry from a different request under the same key. */
  public String fingerprint() {
    JsonObject canonical = new JsonObject().put("authorId", authorId).put("title", title).put("body", body)
        .put("tags", new JsonArray(tags));
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(canonical.encode().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String string(JsonObject json, String field, int min, int max) {
    Object value = json.getValue(field);
    if (value == null) {
      throw Refusal.invalid(field, field + " is required");
    }
    if (!(value instanceof String text)) {
      throw Refusal.invalid(field, field + " must be a string");
    }
    int length = text.codePointCount(0, text.length());
    if (length < min || length > max) {
      throw Refusal.invalid(field, field + " must be " + min + " to " + max + " characters, was " + length);
    }
    if (text.indexOf('\u0000') >= 0) {
      throw Refusal.invalid(field, field + " must not contain NUL characters");
    }
    return text;
  }

  private static List<String> tags(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw Refusal.invalid("tags", "tags must be an array of strings");
    }
    if (array.size() > MAX_TAGS) {
      throw Refusal.invalid("tags", "at most " + MAX_TAGS + " tags, was " + array.size());
    }
    List<String> tags = new ArrayList<>();
    for (Object tag : array) {
      if (!(tag instanceof String text)) {
        throw Refusal.invalid("tags", "tags must be an array of strings");
      }
      int length = text.codePointCount(0, text.length());
      if (length < 1 || length > MAX_TAG || text.isBlank() || text.indexOf('\u0000') >= 0) {
        throw Refusal.invalid("tags", "each tag must be 1 to " + MAX_TAG + " non-blank characters");
      }
      tags.add(text);
    }
    return List.copyOf(tags);
  }
}
