package dev.fanout.publisher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutApp;
import dev.fanout.app.RunningApp;
import dev.fanout.consumer.DeadLetters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.awaitility.Awaitility;

/**
 * Hostile input against the running app: any body sent to the publish API gets 201 or a JSON 4xx naming
 * the problem, never a 5xx, and a refused request writes nothing; random bytes written to the topic are
 * dead-lettered by both groups, which go on with the events after them.
 */
class HostileInputTest {

  private static Path dataDir;
  private static RunningApp app;

  @BeforeContainer
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("fanout-hostile");
    app = RunningApp.start(dataDir, "--partitions", "2", "--publish-rate-limit", "0");
  }

  @AfterContainer
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    RunningApp.deleteRecursively(dataDir);
  }

  @Property(tries = 300)
  void anyPublishBodyGetsACreatedOrAJsonClientError(@ForAll("bodies") String body, @ForAll("contentTypes") String type)
      throws Exception {
    long before = app.queryLong("SELECT count(*) FROM blogs");
    // written as the author the body names when it names a valid one (so that valid drafts are accepted)
    HttpResponse<String> answer = app.send("POST", "/api/blogs", type, body, "Authorization",
        "Bearer " + app.authorToken(RunningApp.authorNamedIn(body, "mutant")));
    long after = app.queryLong("SELECT count(*) FROM blogs");
    if (answer.statusCode() == 201) {
      assertThat(after).isEqualTo(before + 1);
      assertThat(app.json(answer).getString("blogId")).isNotBlank();
    } else {
      assertThat(answer.statusCode()).as(answer.body()).isBetween(400, 499);
      assertThat(app.json(answer).getString("error")).isNotBlank();
      assertThat(app.json(answer).getString("message")).isNotBlank();
      assertThat(after).as("nothing written for a refused request").isEqualTo(before);
    }
  }

  @Property(tries = 5)
  void randomBytesOnTheTopicAreDeadLetteredAndTheRestFlows(@ForAll @Size(min = 1, max = 20) List<byte[]> payloads)
      throws Exception {
    long counterLetters = deadLetters("counter");
    long searchLetters = deadLetters("search");
    String author = "after-noise-" + System.nanoTime();
    for (byte[] payload : payloads) {
      // a leading 0xff is never valid UTF-8 JSON: each of these is noise, not an event
      byte[] noise = new byte[payload.length + 1];
      noise[0] = (byte) 0xff;
      System.arraycopy(payload, 0, noise, 1, payload.length);
      RunningApp.await(app.app().stream().send(FanoutApp.EVENTS_TOPIC, author, Map.of(), noise));
    }
    app.publish(author, "after the noise");
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(app.json(app.get("/api/authors/" + author)).getLong("blogCount")).isEqualTo(1);
      assertThat(deadLetters("counter")).isEqualTo(counterLetters + payloads.size());
      assertThat(deadLetters("search")).isEqualTo(searchLetters + payloads.size());
      assertThat(app.group("search").getLong("lag")).isZero();
    });
  }

  @Property(tries = 100)
  void anyAuthorizationHeaderButAnAuthorTokenGets401AndNothingIsWritten(@ForAll("authorizations") String header)
      throws Exception {
    long before = app.queryLong("SELECT count(*) FROM blogs");
    HttpResponse<String> answer = app.send("POST", "/api/blogs", "application/json",
        new JsonObject().put("authorId", "mutant").put("title", "t").put("body", "b").encode(), "Authorization", header);
    assertThat(answer.statusCode()).as(header + " -> " + answer.body()).isEqualTo(401);
    assertThat(app.json(answer).getString("error")).isEqualTo("unauthenticated");
    assertThat(answer.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    assertThat(app.queryLong("SELECT count(*) FROM blogs")).isEqualTo(before);
  }

  @Provide
  Arbitrary<String> authorizations() throws Exception {
    String token = app.authorToken("mutant");
    String[] parts = token.split("\\.");
    Arbitrary<String> printable = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(300);
    return Arbitraries.oneOf(
        printable,
        printable.map(s -> "Bearer " + s),
        Arbitraries.strings().withChars("abcXYZ019_-.").ofMinLength(1).ofMaxLength(400).map(s -> "Bearer " + s),
        // the real token, changed: a flipped signature, a swapped payload, no signature, alg none, another scheme
        // (not the last character: its low bits are padding, and a decoder ignores them, so changing only
        // those leaves the same signature)
        Arbitraries.integers().between(0, parts[2].length() - 2).map(i -> "Bearer " + parts[0] + "." + parts[1] + "."
            + parts[2].substring(0, i) + (parts[2].charAt(i) == 'A' ? 'B' : 'A') + parts[2].substring(i + 1)),
        Arbitraries.just("Bearer " + parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
            .encodeToString("{\"sub\":\"mutant\",\"exp\":9999999999}".getBytes()) + "." + parts[2]),
        Arbitraries.just("Bearer " + parts[0] + "." + parts[1] + "."),
        Arbitraries.just("Bearer " + parts[0] + "." + parts[1]),
        Arbitraries.just("Bearer " + java.util.Base64.getUrlEncoder().withoutPadding()
            .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes()) + "." + parts[1] + "."),
        Arbitraries.just("Basic " + token),
        Arbitraries.just("Bearer " + app.app().adminToken()));
  }

  private static long deadLetters(String group) throws Exception {
    return app.endOffset(DeadLetters.topic(FanoutApp.EVENTS_TOPIC, group));
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.just("application/json")),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("text/plain", "application/json; charset=utf-8", "application/xml")));
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<Object> anyValue = Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.strings().ofMaxLength(400).map(s -> (Object) s),
        Arbitraries.strings().ofMaxLength(50).list().ofMaxSize(12).map(l -> (Object) new JsonArray(List.copyOf(l))),
        Arbitraries.just((Object) new JsonObject().put("x", 1)));
    Arbitrary<String> authorIds = Arbitraries.oneOf(
        Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(64),
        Arbitraries.strings().ofMaxLength(80));
    Arbitrary<String> drafts = net.jqwik.api.Combinators.combine(authorIds, Arbitraries.strings().ofMaxLength(320),
        Arbitraries.strings().ofMaxLength(2000), Arbitraries.strings().ofMaxLength(45).list().ofMaxSize(12))
        .as((author, title, body, tags) -> new JsonObject().put("authorId", author).put("title", title)
            .put("body", body).put("tags", new JsonArray(List.copyOf(tags))).encode());
    Arbitrary<String> mutatedDrafts = net.jqwik.api.Combinators.combine(
            Arbitraries.of("authorId", "title", "body", "tags", "extra"), anyValue)
        .as((field, value) -> new JsonObject().put("authorId", "mutant").put("title", "a title").put("body", "b")
            .put(field, value).encode());
    return Arbitraries.oneOf(drafts, mutatedDrafts, Arbitraries.strings().ofMaxLength(200),
        Arbitraries.of("", "null", "[]", "{}", "{\"authorId\":", "\"just a string\"", "{\"authorId\": 1e999}"));
  }
}
