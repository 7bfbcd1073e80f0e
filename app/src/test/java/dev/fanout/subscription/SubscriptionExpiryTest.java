package dev.fanout.subscription;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A subscription that holds outbox rows longer than {@code --subscriptions-keep-hours} expires and stops
 * holding them; a resync starts it again from a snapshot of the live blogs.
 *
 * <p>The keep time is at least an hour and the check runs once a minute, so the test makes its events old
 * (their outbox rows and the subscription's start move two hours back, together, with SQL) and runs the
 * check at once ({@link Subscriptions#checkExpiryNow}). On the in-memory backend the pruner deletes a row
 * only once the stream can no longer deliver it, which within one life of the stream is never: the app is
 * restarted cleanly, and a row the subscription still held would be sent again by the start-up replay and
 * kept.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscriptionExpiryTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String[] FLAGS = {"--subscriptions-allow-private", "--subscriptions-keep-hours", "1",
      "--outbox-keep-minutes", "0", "--retry-backoff-ms", "20", "--breaker-wait-ms", "500"};

  private Vertx vertx;
  private TestReceiver receiver;
  private Path dir;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    receiver = TestReceiver.start(vertx);
    dir = Files.createTempDirectory("fanout-SubscriptionExpiryTest");
  }

  @AfterAll
  void stop() throws Exception {
    receiver.close();
    await(vertx.close());
    RunningApp.deleteRecursively(dir);
  }

  private static JsonObject entry(RunningApp app, String name) throws Exception {
    HttpResponse<String> got = app.admin("GET", "/api/admin/subscriptions/" + name, null);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    return app.json(got);
  }

  private static long rowsOf(RunningApp app, List<String> blogs) throws Exception {
    return app.queryLong("SELECT count(*) FROM outbox WHERE blog_id = ANY($1)",
        (Object) blogs.stream().map(UUID::fromString).toArray(UUID[]::new));
  }

  @Test
  void aSubscriptionHoldingRowsTooLongExpiresStopsHoldingThemAndAResyncSendsASnapshot() throws Exception {
    receiver.answering(d -> TestReceiver.Answer.of(503)); // down all along
    List<String> blogs = new ArrayList<>();
    String deleted;
    try (RunningApp app = RunningApp.start(dir, FLAGS)) {
      HttpResponse<String> created = app.admin("POST", "/api/admin/subscriptions",
          new JsonObject().put("name", "stale").put("url", receiver.url()).encode());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      receiver.secret(app.json(created).getString("secret"));
      for (int i = 0; i < 6; i++) {
        blogs.add(app.publish("stale-" + (i % 3), "stale " + i));
      }
      HttpResponse<String> updated = app.write("PUT", "/api/blogs/" + blogs.get(0), "stale-0",
          new JsonObject().put("authorId", "stale-0").put("title", "stale 0 again").put("body", "b"));
      assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
      deleted = blogs.get(1);
      assertThat(app.write("DELETE", "/api/blogs/" + deleted, "stale-1", null).statusCode()).isEqualTo(200);
      long events = rowsOf(app, blogs);
      assertThat(events).isEqualTo(8);
      await().atMost(WAIT).until(() -> app.queryLong("SELECT count(*) FROM processed_events "
          + "WHERE group_name IN ('counter', 'search')") == 2 * events);
      await().atMost(WAIT).until(() -> !receiver.all().isEmpty());

      Subscriptions subscriptions = app.app().subscriptions();
      await(subscriptions.checkExpiryNow());
      assertThat(entry(app, "stale").getString("status")).as("it holds rows, but not for an hour yet")
          .isNotEqualTo("expired");

      // as if all of it happened two hours ago
      app.queryLong("WITH o AS (UPDATE outbox SET created_at = created_at - interval '2 hours' RETURNING 1), "
          + "s AS (UPDATE subscriptions SET owed_from = owed_from - interval '2 hours', "
          + "created_at = created_at - interval '2 hours' WHERE name = 'stale' RETURNING 1) "
          + "SELECT (SELECT count(*) FROM o) + (SELECT count(*) FROM s)");
      await(subscriptions.checkExpiryNow());
      JsonObject expired = entry(app, "stale");
      assertThat(expired.getString("status")).isEqualTo("expired");
      assertThat(expired.getString("expiredAt")).isNotNull();
      assertThat(rowsOf(app, blogs)).as("the stream could still deliver them in this life").isEqualTo(events);
    }

    try (RunningApp app = RunningApp.start(dir, FLAGS)) {
      assertThat(entry(app, "stale").getString("status")).isEqualTo("expired");
      // counter and search processed them; the expired subscription no longer holds them
      await().atMost(WAIT).until(() -> rowsOf(app, blogs) == 0);

      receiver.clear();
      HttpResponse<String> resync = app.admin("POST", "/api/admin/subscriptions/stale/resync", null);
      assertThat(resync.statusCode()).as(resync.body()).isEqualTo(200);
      assertThat(app.json(resync).getString("status")).isEqualTo("snapshot");
      await().atMost(WAIT).until(() -> receiver.all().stream().anyMatch(d -> d.type().equals("blog.snapshot")));
      assertThat(entry(app, "stale").getString("status")).as("while the receiver refuses").isEqualTo("snapshot");

      receiver.answering(d -> TestReceiver.Answer.ok());
      await().atMost(WAIT).untilAsserted(() -> {
        JsonObject entry = entry(app, "stale");
        assertThat(entry.getString("status")).isEqualTo("active");
        assertThat(entry.getString("expiredAt")).isNull();
      });
      Map<String, Integer> snapshot = new TreeMap<>();
      receiver.accepted().forEach(d -> {
        assertThat(d.type()).isEqualTo("blog.snapshot");
        assertThat(d.id()).isEqualTo("snapshot-" + d.blogId() + "-" + d.version());
        assertThat(snapshot.put(d.blogId(), d.version())).as("once").isNull();
      });
      Map<String, Integer> live = new TreeMap<>();
      for (String blog : blogs) {
        if (!blog.equals(deleted)) {
          live.put(blog, blog.equals(blogs.get(0)) ? 2 : 1);
        }
      }
      assertThat(snapshot).as("every live blog at its version, the deleted one not").isEqualTo(live);

      // then the stream again
      String next = app.publish("stale-2", "after the resync");
      await().atMost(WAIT).until(() -> receiver.accepted().stream()
          .anyMatch(d -> next.equals(d.blogId()) && d.type().equals("blog.published")));
    }
  }
}
