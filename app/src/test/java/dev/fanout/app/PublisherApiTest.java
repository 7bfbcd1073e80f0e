package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The publisher's HTTP contract: answers, idempotency, and bad input that writes nothing. */
class PublisherApiTest {

  private static Path dataDir;
  private static RunningApp app;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("fanout-publisher");
    app = RunningApp.start(dataDir, "--partitions", "3");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    RunningApp.deleteRecursively(dataDir);
  }

  private static JsonObject draft(String author, String title) {
    return new JsonObject().put("authorId", author).put("title", title).put("body", "text")
        .put("tags", new JsonArray().add("java"));
  }

  // As the author the body names when it names a valid one, otherwise as author "a".
  private static HttpResponse<String> post(String body, String... headers) throws Exception {
    String[] all = Arrays.copyOf(headers, headers.length + 2);
    all[headers.length] = "Authorization";
    all[headers.length + 1] = "Bearer " + app.authorToken(RunningApp.authorNamedIn(body, "a"));
    return app.send("POST", "/api/blogs", "application/json", body, all);
  }

  private long rows(String table) throws Exception {
    return app.queryLong("SELECT count(*) FROM " + table);
  }

  @Test
  void publishReadUpdateDelete() throws Exception {
    HttpResponse<String> created = post(draft("ada", "First").encode());
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject written = app.json(created);
    String blogId = written.getString("blogId");
    assertThat(written.getInteger("version")).isEqualTo(1);
    // the answer names the one event this publish wrote: its outbox row, of this blog
    assertThat(app.queryLong("SELECT count(*) FROM outbox WHERE event_id = $1 AND event_type = 'BlogPublished' "
        + "AND convert_from(payload, 'UTF8')::jsonb ->> 'blogId' = $2",
        UUID.fromString(written.getString("eventId")), blogId)).isEqualTo(1);

    JsonObject blog = app.json(app.get("/api/blogs/" + blogId));
    assertThat(blog.getString("title")).isEqualTo("First");
    assertThat(blog.getString("authorId")).isEqualTo("ada");
    assertThat(blog.getJsonArray("tags")).containsExactly("java");

    HttpResponse<String> wrongAuthor = app.write("PUT", "/api/blogs/" + blogId, "bob", draft("bob", "Mine now"));
    assertThat(wrongAuthor.statusCode()).isEqualTo(403);
    assertThat(app.json(wrongAuthor).getString("error")).isEqualTo("not_owner");

    HttpResponse<String> updated = app.write("PUT", "/api/blogs/" + blogId, "ada", draft("ada", "Second"));
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(app.json(updated).getInteger("version")).isEqualTo(2);
    assertThat(app.json(app.get("/api/blogs/" + blogId)).getString("title")).isEqualTo("Second");

    HttpResponse<String> deleted = app.write("DELETE", "/api/blogs/" + blogId, "ada", null);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(app.json(deleted).getInteger("version")).isEqualTo(3);
    assertThat(app.get("/api/blogs/" + blogId).statusCode()).isEqualTo(404);
    assertThat(app.write("DELETE", "/api/blogs/" + blogId, "ada", null).statusCode()).isEqualTo(404);
    assertThat(app.write("PUT", "/api/blogs/" + blogId, "ada", draft("ada", "x")).statusCode()).isEqualTo(404);

    assertThat(app.queryLong("SELECT count(*) FROM outbox o JOIN blogs b ON convert_from(o.payload, 'UTF8') LIKE '%' || b.blog_id || '%' "
        + "WHERE b.blog_id = $1", UUID.fromString(blogId))).isEqualTo(3);
  }

  @Test
  void unknownIdsAreNotFound() throws Exception {
    for (String id : new String[] {UUID.randomUUID().toString(), "not-a-uuid", "1"}) {
      HttpResponse<String> response = app.get("/api/blogs/" + id);
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(app.json(response).getString("error")).isEqualTo("not_found");
    }
  }

  @Test
  void idempotencyKeyMakesRetriesSafe() throws Exception {
    String key = "retry-" + UUID.randomUUID();
    String body = draft("grace", "Once").encode();
    long outbox = rows("outbox");
    HttpResponse<String> first = post(body, "Idempotency-Key", key);
    HttpResponse<String> again = post(body, "Idempotency-Key", key);
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(app.json(again)).isEqualTo(app.json(first));
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(rows("outbox")).isEqualTo(outbox + 1);

    HttpResponse<String> different = post(draft("grace", "Twice").encode(), "Idempotency-Key", key);
    assertThat(different.statusCode()).isEqualTo(422);
    assertThat(app.json(different).getString("error")).isEqualTo("idempotency_key_reused");
    assertThat(rows("outbox")).isEqualTo(outbox + 1);
  }

  @Test
  void sqlLookingAndUnicodeStringsAreJustText() throws Exception {
    String title = "'; DROP TABLE blogs; -- 🚀 ünïcödé 漢字";
    HttpResponse<String> created = post(draft("mallory", title).put("body", "1' OR '1'='1").encode());
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject blog = app.json(app.get("/api/blogs/" + app.json(created).getString("blogId")));
    assertThat(blog.getString("title")).isEqualTo(title);
    assertThat(blog.getString("body")).isEqualTo("1' OR '1'='1");
    // 300 characters outside the BMP are 600 UTF-16 units, and still a valid title
    assertThat(post(draft("mallory", "🚀".repeat(300)).encode()).statusCode()).isEqualTo(201);
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        Arguments.of("{not json", "malformed_json", null),
        Arguments.of("[1,2]", "malformed_json", null),
        Arguments.of("null", "malformed_json", null),
        Arguments.of("{}", "invalid_field", "title"),
        Arguments.of(draft("a", "t").put("authorId", 42).encode(), "invalid_field", "authorId"),
        Arguments.of(draft("a b", "t").encode(), "invalid_field", "authorId"),
        Arguments.of(draft("x".repeat(65), "t").encode(), "invalid_field", "authorId"),
        Arguments.of(draft("a';--", "t").encode(), "invalid_field", "authorId"),
        Arguments.of(draft("a", "t").put("title", 7).encode(), "invalid_field", "title"),
        Arguments.of(draft("a", "").encode(), "invalid_field", "title"),
        Arguments.of(draft("a", "   ").encode(), "invalid_field", "title"),
        Arguments.of(draft("a", "x".repeat(301)).encode(), "invalid_field", "title"),
        Arguments.of(draft("a", "🚀".repeat(301)).encode(), "invalid_field", "title"),
        Arguments.of(draft("a", "nul\u0000").encode(), "invalid_field", "title"),
        Arguments.of(draft("a", "t").putNull("body").encode(), "invalid_field", "body"),
        Arguments.of(draft("a", "t").put("body", "x".repeat(100_001)).encode(), "invalid_field", "body"),
        Arguments.of(draft("a", "t").put("tags", "java").encode(), "invalid_field", "tags"),
        Arguments.of(draft("a", "t").put("tags", new JsonArray().add(1)).encode(), "invalid_field", "tags"),
        Arguments.of(draft("a", "t").put("tags", new JsonArray(Arrays.asList(new String[11])).stream()
            .map(x -> "t").collect(JsonArray::new, JsonArray::add, JsonArray::addAll)).encode(), "invalid_field", "tags"),
        Arguments.of(draft("a", "t").put("tags", new JsonArray().add("x".repeat(41))).encode(), "invalid_field", "tags"),
        Arguments.of(draft("a", "t").put("tags", new JsonArray().add("")).encode(), "invalid_field", "tags"));
  }

  @ParameterizedTest
  @MethodSource("badBodies")
  void badBodiesGetA400NamingTheProblemAndWriteNothing(String body, String error, String field) throws Exception {
    long blogs = rows("blogs");
    long outbox = rows("outbox");
    HttpResponse<String> response = post(body);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
    JsonObject json = app.json(response);
    assertThat(json.getString("error")).isEqualTo(error);
    assertThat(json.getString("field")).isEqualTo(field);
    assertThat(json.getString("message")).isNotBlank();
    assertThat(rows("blogs")).isEqualTo(blogs);
    assertThat(rows("outbox")).isEqualTo(outbox);
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    long outbox = rows("outbox");
    for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/jsonx"}) {
      HttpResponse<String> response = app.send("POST", "/api/blogs", type, draft("a", "t").encode(),
          "Authorization", "Bearer " + app.authorToken("a"));
      assertThat(response.statusCode()).as(type).isEqualTo(415);
      assertThat(app.json(response).getString("error")).isEqualTo("unsupported_media_type");
    }
    assertThat(app.send("POST", "/api/blogs", null, draft("a", "t").encode(),
        "Authorization", "Bearer " + app.authorToken("a")).statusCode()).isEqualTo(415);
    assertThat(app.send("POST", "/api/blogs", "application/json; charset=utf-8", draft("a", "t").encode(),
        "Authorization", "Bearer " + app.authorToken("a")).statusCode()).isEqualTo(201);
    assertThat(rows("outbox")).isEqualTo(outbox + 1);
  }

  @Test
  void aTenMegabyteBodyIsRefusedWith413() throws Exception {
    long blogs = rows("blogs");
    byte[] huge = ("{\"authorId\":\"a\",\"title\":\"t\",\"body\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> response = app.sendBytes("POST", "/api/blogs", "application/json", huge,
        "Authorization", "Bearer " + app.authorToken("a"));
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(app.json(response).getString("error")).isEqualTo("payload_too_large");
    assertThat(rows("blogs")).isEqualTo(blogs);
  }

  @Test
  void aKeyGivenTwiceIsRefusedNamingItAndNothingIsWritten() throws Exception {
    long blogs = rows("blogs");
    HttpResponse<String> response = post("{\"authorId\":\"ada\",\"authorId\":\"eve\",\"title\":\"t\",\"body\":\"b\"}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(app.json(response).getString("error")).isEqualTo("duplicate_field");
    assertThat(app.json(response).getString("field")).isEqualTo("authorId");
    assertThat(rows("blogs")).isEqualTo(blogs);
  }

  @Test
  void aLoneSurrogateIsRefusedNamingItsFieldAndNothingIsWritten() throws Exception {
    long blogs = rows("blogs");
    for (String field : List.of("title", "body", "tags")) {
      String value = field.equals("tags") ? "[\"ok\", \"\\ud800\"]" : "\"before \\ud800 after\"";
      JsonObject fields = new JsonObject().put("authorId", "ada").put("title", "t").put("body", "b");
      fields.remove(field);
      String encoded = fields.encode();
      String body = encoded.substring(0, encoded.length() - 1) + ",\"" + field + "\":" + value + "}";
      HttpResponse<String> response = post(body);
      assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(400);
      assertThat(app.json(response).getString("field")).isEqualTo(field);
    }
    // a surrogate pair is one character, and is kept
    HttpResponse<String> pair = post("{\"authorId\":\"ada\",\"title\":\"\\ud83d\\ude00\",\"body\":\"b\"}");
    assertThat(pair.statusCode()).as(pair.body()).isEqualTo(201);
    String blogId = app.json(pair).getString("blogId");
    assertThat(app.json(app.get("/api/blogs/" + blogId)).getString("title")).isEqualTo("\uD83D\uDE00");
    assertThat(rows("blogs")).isEqualTo(blogs + 1);
  }

  @Test
  void theLargestValidBlogInItsLargestEncodingIsAccepted() throws Exception {
    // every character escaped as a surrogate pair, as Python's json.dumps writes emoji: 12 bytes each
    String emoji = "\\ud83d\\ude00";
    StringBuilder body = new StringBuilder("{\"authorId\":\"" + "a".repeat(64) + "\",\"title\":\"")
        .append(emoji.repeat(300)).append("\",\"body\":\"").append(emoji.repeat(100_000)).append("\",\"tags\":[");
    for (int i = 0; i < 10; i++) {
      body.append(i == 0 ? "" : ",").append('"').append(emoji.repeat(39)).append((char) ('a' + i)).append('"');
    }
    body.append("]}");
    assertThat(body.length()).as("bytes sent").isGreaterThan(1_200_000);
    HttpResponse<String> response = post(body.toString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    JsonObject stored = app.json(app.get("/api/blogs/" + app.json(response).getString("blogId")));
    assertThat(stored.getString("body").codePointCount(0, stored.getString("body").length())).isEqualTo(100_000);
  }

  @Test
  void authorCountsValidateTheirId() throws Exception {
    assertThat(app.get("/api/authors/nobody-yet").statusCode()).isEqualTo(200);
    assertThat(app.json(app.get("/api/authors/nobody-yet")).getLong("blogCount")).isZero();
    HttpResponse<String> bad = app.get("/api/authors/" + "x".repeat(65));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(app.json(bad).getString("field")).isEqualTo("authorId");
  }
}
