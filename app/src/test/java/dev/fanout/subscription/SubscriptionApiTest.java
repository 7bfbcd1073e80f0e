package dev.fanout.subscription;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.Webhook;
import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhook subscriptions through the admin API on the in-memory backend, delivered to real receivers whose
 * signatures are checked by the Standard Webhooks reference library.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscriptionApiTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--subscriptions-allow-private", "--subscriptions-max", "6",
      "--retry-backoff-ms", "20", "--breaker-wait-ms", "500");

  private Vertx vertx;

  @BeforeAll
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stopVertx() throws Exception {
    await(vertx.close());
  }

  private JsonObject create(String name, TestReceiver receiver, JsonObject extra) throws Exception {
    JsonObject body = new JsonObject().put("name", name).put("url", receiver.url()).mergeIn(extra);
    // until the answer names the new secret, the receiver asks for a retry
    receiver.secret(null);
    HttpResponse<String> created = app.admin("POST", "/api/admin/subscriptions", body.encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject answer = app.json(created);
    receiver.secret(answer.getString("secret"));
    return answer;
  }

  private void delete(String name) throws Exception {
    HttpResponse<String> deleted = app.admin("DELETE", "/api/admin/subscriptions/" + name, null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
  }

  private JsonObject entry(String name) throws Exception {
    HttpResponse<String> got = app.admin("GET", "/api/admin/subscriptions/" + name, null);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    return app.json(got);
  }

  private String update(String author, String blogId, String title) throws Exception {
    HttpResponse<String> updated = app.write("PUT", "/api/blogs/" + blogId, author,
        new JsonObject().put("authorId", author).put("title", title).put("body", "changed: " + title));
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    return blogId;
  }

  private void deleteBlog(String author, String blogId) throws Exception {
    HttpResponse<String> deleted = app.write("DELETE", "/api/blogs/" + blogId, author, null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
  }

  @Test
  void createdListedAndReadWithoutTheSecretAndShownWhereverGroupsAre() throws Exception {
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      JsonObject created = create("listed", receiver, new JsonObject().put("maxInFlight", 8).put("timeoutMs", 2000));
      assertThat(created.getString("name")).isEqualTo("listed");
      assertThat(created.getString("group")).isEqualTo("sub-listed");
      assertThat(created.getString("url")).isEqualTo(receiver.url());
      assertThat(created.getString("startFrom")).isEqualTo("latest");
      assertThat(created.getInteger("maxInFlight")).isEqualTo(8);
      assertThat(created.getInteger("timeoutMs")).isEqualTo(2000);
      assertThat(created.getString("createdAt")).isNotNull();
      assertThat(created.getString("secret")).startsWith("whsec_");
      assertThat(java.util.Base64.getDecoder().decode(created.getString("secret").substring(6))).hasSize(32);

      HttpResponse<String> list = app.admin("GET", "/api/admin/subscriptions", null);
      assertThat(list.body()).doesNotContain(created.getString("secret")).doesNotContain("whsec_");
      JsonObject listed = app.json(list).getJsonArray("subscriptions").stream().map(JsonObject.class::cast)
          .filter(s -> s.getString("name").equals("listed")).findFirst().orElseThrow();
      assertThat(listed.fieldNames()).containsAll(List.of("name", "group", "url", "startFrom", "maxInFlight",
          "timeoutMs", "createdAt", "status", "paused", "lag", "delivered", "failedAttempts", "deadLettered",
          "lastDeliveryAt", "lastError"));
      assertThat(listed.getBoolean("paused")).isFalse();
      await().atMost(WAIT).untilAsserted(() -> assertThat(entry("listed").getString("status")).isEqualTo("active"));

      // wherever groups appear, by name only
      assertThat(app.get("/api/groups").body()).contains("sub-listed").doesNotContain(receiver.url());
      assertThat(app.get("/metrics").body()).contains("sub-listed");
      String event = app.json(app.get("/api/blogs/" + app.publish("listed-author", "shown") + "/events"))
          .getJsonArray("events").getJsonObject(0).getString("eventId");
      await().atMost(WAIT).untilAsserted(() -> assertThat(app.get("/api/events/" + event).body())
          .contains("\"group\":\"sub-listed\"").doesNotContain(receiver.url()));
      delete("listed");
    }
  }

  @Test
  void badRequestsAreRefusedNamingTheFieldAndWriteNothing() throws Exception {
    String url = "http://127.0.0.1:1/x";
    Map<String, JsonObject> bad = new TreeMap<>();
    bad.put("name", new JsonObject().put("name", "Upper").put("url", url));
    bad.put("name ", new JsonObject().put("name", "-dash").put("url", url));
    bad.put("name  ", new JsonObject().put("name", "a".repeat(49)).put("url", url));
    bad.put("url", new JsonObject().put("name", "u").put("url", "ftp://example.com/"));
    bad.put("url ", new JsonObject().put("name", "u").put("url", "/relative"));
    bad.put("startFrom", new JsonObject().put("name", "s").put("url", url).put("startFrom", "yesterday"));
    bad.put("timestamp", new JsonObject().put("name", "t").put("url", url).put("startFrom", "timestamp"));
    bad.put("maxInFlight", new JsonObject().put("name", "m").put("url", url).put("maxInFlight", 0));
    bad.put("maxInFlight ", new JsonObject().put("name", "m").put("url", url).put("maxInFlight", 1001));
    bad.put("timeoutMs", new JsonObject().put("name", "t").put("url", url).put("timeoutMs", 99));
    bad.put("timeoutMs ", new JsonObject().put("name", "t").put("url", url).put("timeoutMs", 60_001));
    for (Map.Entry<String, JsonObject> e : bad.entrySet()) {
      HttpResponse<String> refused = app.admin("POST", "/api/admin/subscriptions", e.getValue().encode());
      assertThat(refused.statusCode()).as(e.getValue().encode()).isEqualTo(400);
      assertThat(app.json(refused).getString("error")).isEqualTo("invalid_field");
      assertThat(app.json(refused).getString("field")).isEqualTo(e.getKey().trim());
    }
    assertThat(app.queryLong("SELECT count(*) FROM subscriptions WHERE name IN ('u', 's', 't', 'm')")).isZero();

    HttpResponse<String> noToken = app.send("POST", "/api/admin/subscriptions", "application/json",
        new JsonObject().put("name", "n").put("url", url).encode());
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(app.admin("GET", "/api/admin/subscriptions/nobody", null).statusCode()).isEqualTo(404);
    assertThat(app.json(app.admin("POST", "/api/admin/subscriptions/nobody/pause", null)).getString("error"))
        .isEqualTo("not_found");

    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      create("twice", receiver, new JsonObject());
      HttpResponse<String> again = app.admin("POST", "/api/admin/subscriptions",
          new JsonObject().put("name", "twice").put("url", receiver.url()).encode());
      assertThat(again.statusCode()).isEqualTo(409);
      assertThat(app.json(again).getString("error")).isEqualTo("subscription_exists");
      delete("twice");
    }
  }

  @Test
  void deliversEveryChangeSignedInOrderPerAuthorAndNothingPublishedBeforeIt() throws Exception {
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      String before = app.publish("order-a", "before the subscription");
      // in the stream before the subscription takes its offsets (an event the relay had not sent yet would
      // come after them, and be delivered: only what is published after the 201 is promised)
      String beforeEvent = app.json(app.get("/api/blogs/" + before + "/events")).getJsonArray("events")
          .getJsonObject(0).getString("eventId");
      await().atMost(WAIT).until(() -> "processed".equals(traceStatus(beforeEvent, "counter")));
      create("order", receiver, new JsonObject());
      Map<String, List<Integer>> expected = new TreeMap<>();
      Map<String, List<String>> writtenOrder = new HashMap<>();
      for (String author : List.of("order-a", "order-b", "order-c")) {
        List<String> order = writtenOrder.computeIfAbsent(author, a -> new ArrayList<>());
        for (int i = 0; i < 3; i++) {
          String blog = app.publish(author, author + " " + i);
          update(author, blog, author + " " + i + " again");
          expected.computeIfAbsent(blog, b -> new ArrayList<>()).addAll(List.of(1, 2));
          order.addAll(List.of(blog + "@1", blog + "@2"));
          if (i == 2) {
            deleteBlog(author, blog);
            expected.get(blog).add(3);
            order.add(blog + "@3");
          }
        }
      }
      int total = expected.values().stream().mapToInt(List::size).sum();
      try {
        await().atMost(WAIT).until(() -> receiver.accepted().size() >= total);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        System.out.println("DIAG received " + receiver.all().size() + " of " + total + "; entry " + entry("order")
            + "; group " + app.group("sub-order"));
        throw e;
      }

      List<TestReceiver.Delivery> got = receiver.accepted();
      assertThat(got).hasSize(total).allMatch(TestReceiver.Delivery::verified);
      assertThat(got).noneMatch(d -> before.equals(d.blogId()));
      assertThat(got).allSatisfy(d -> {
        assertThat(d.userAgent()).startsWith("Fanout/");
        assertThat(d.id()).isEqualTo(d.data().getString("eventId"));
        assertThat(Long.parseLong(d.timestamp())).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(120L));
        assertThat(d.body().getString("timestamp")).isEqualTo(d.data().getString("occurredAt"));
      });
      Map<String, List<Integer>> versions = new TreeMap<>();
      Map<String, List<String>> authorsOrder = new HashMap<>();
      for (TestReceiver.Delivery d : got) {
        versions.computeIfAbsent(d.blogId(), b -> new ArrayList<>()).add(d.version());
        authorsOrder.computeIfAbsent(d.author(), a -> new ArrayList<>()).add(d.blogId() + "@" + d.version());
        switch (d.version()) {
          case 1 -> assertThat(d.type()).isEqualTo("blog.published");
          case 2 -> assertThat(d.type()).isEqualTo("blog.updated");
          default -> {
            assertThat(d.type()).isEqualTo("blog.deleted");
            assertThat(d.data().fieldNames()).containsExactlyInAnyOrder("eventId", "blogId", "authorId", "version",
                "occurredAt");
          }
        }
        if (d.version() < 3) {
          assertThat(d.data().fieldNames()).containsExactlyInAnyOrder("eventId", "blogId", "authorId", "version",
              "title", "body", "tags", "publishedAt", "occurredAt");
        }
      }
      assertThat(versions).isEqualTo(expected);
      assertThat(authorsOrder).as("each author's events arrive in the order they were written")
          .isEqualTo(writtenOrder);
      await().atMost(WAIT).untilAsserted(() -> {
        JsonObject entry = entry("order");
        assertThat(entry.getLong("delivered")).isEqualTo(total);
        assertThat(entry.getLong("lag")).isZero();
        assertThat(entry.getString("lastDeliveryAt")).isNotNull();
      });
      assertThat(traceStatus(beforeEvent, "sub-order")).as("never owed to it").isEqualTo("skipped");
      delete("order");
    }
  }

  private String traceStatus(String eventId, String group) throws Exception {
    for (Object g : app.json(app.get("/api/events/" + eventId)).getJsonArray("groups")) {
      if (((JsonObject) g).getString("group").equals(group)) {
        return ((JsonObject) g).getString("status");
      }
    }
    return null;
  }

  @Test
  void oneAuthorsEventsGoOneAtATimeInStreamOrderUnderRandomLatencyAndFailures() throws Exception {
    java.util.Random random = new java.util.Random(42);
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      receiver.answering(d -> {
        synchronized (random) {
          return random.nextInt(100) < 20 ? TestReceiver.Answer.of(503)
              : TestReceiver.Answer.after(random.nextInt(25));
        }
      });
      create("random", receiver, new JsonObject().put("maxInFlight", 16));
      Map<String, List<String>> written = new ConcurrentHashMap<>();
      for (int round = 0; round < 4; round++) {
        for (int a = 0; a < 8; a++) {
          String author = "rnd-" + a;
          String blog = app.publish(author, "r" + round);
          written.computeIfAbsent(author, x -> new ArrayList<>()).add(blog + "@1");
          if (round % 2 == 1) {
            update(author, blog, "r" + round + "'");
            written.get(author).add(blog + "@2");
          }
        }
      }
      int total = written.values().stream().mapToInt(List::size).sum();
      await().atMost(Duration.ofSeconds(60)).until(() -> receiver.accepted().size() >= total);
      Map<String, List<String>> got = new HashMap<>();
      for (TestReceiver.Delivery d : receiver.accepted()) {
        got.computeIfAbsent(d.author(), x -> new ArrayList<>()).add(d.blogId() + "@" + d.version());
      }
      assertThat(got).as("every author's events once each, in the order written").isEqualTo(written);
      // a refused (503) try is followed by the same event again before the author's next one
      Map<String, String> pending = new HashMap<>();
      for (TestReceiver.Delivery d : receiver.all()) {
        String key = d.blogId() + "@" + d.version();
        String open = pending.get(d.author());
        if (open != null) {
          assertThat(key).as("author " + d.author() + " moved on before " + open + " was accepted").isEqualTo(open);
        }
        if (d.accepted()) {
          pending.remove(d.author());
        } else {
          pending.put(d.author(), key);
        }
      }
      assertThat(entry("random").getLong("failedAttempts")).isPositive();
      delete("random");
    }
  }

  @Test
  void aRefusedEventIsDeadLetteredForThatSubscriptionAloneAndTheAuthorGoesOn() throws Exception {
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      receiver.answering(d -> d.data().getString("title", "").equals("refuse me")
          ? TestReceiver.Answer.of(422) : TestReceiver.Answer.ok());
      create("refusing", receiver, new JsonObject());
      String refused = app.publish("refusal-author", "refuse me");
      String next = app.publish("refusal-author", "take me");
      await().atMost(WAIT).until(() -> receiver.accepted().stream().anyMatch(d -> next.equals(d.blogId())));
      await().atMost(WAIT).untilAsserted(() -> {
        JsonObject entry = entry("refusing");
        assertThat(entry.getLong("deadLettered")).isEqualTo(1);
        assertThat(entry.getString("lastError")).isEqualTo("status 422");
      });
      assertThat(receiver.all().stream().filter(d -> refused.equals(d.blogId()))).as("never retried").hasSize(1);
      String refusedEvent = app.json(app.get("/api/blogs/" + refused + "/events")).getJsonArray("events")
          .getJsonObject(0).getString("eventId");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(traceStatus(refusedEvent, "sub-refusing")).isEqualTo("dead_lettered");
        assertThat(traceStatus(refusedEvent, "counter")).isEqualTo("processed");
        assertThat(traceStatus(refusedEvent, "search")).isEqualTo("processed");
      });
      // the group's own controls work for a subscription as for any group
      receiver.answering(d -> TestReceiver.Answer.ok());
      HttpResponse<String> replay = app.admin("POST", "/api/admin/groups/sub-refusing/dead-letters/replay", null);
      assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
      await().atMost(WAIT).until(() -> receiver.accepted().stream().anyMatch(d -> refused.equals(d.blogId())));
      delete("refusing");
    }
  }

  @Test
  void pauseAndResumeAreStoredAndHold() throws Exception {
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      create("pausing", receiver, new JsonObject());
      HttpResponse<String> paused = app.admin("POST", "/api/admin/subscriptions/pausing/pause", null);
      assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
      assertThat(app.json(paused).getBoolean("paused")).isTrue();
      assertThat(app.queryLong("SELECT count(*) FROM subscriptions WHERE name = 'pausing' AND paused")).isEqualTo(1);
      String blog = app.publish("pause-author", "while paused");
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
          .until(() -> receiver.all().stream().noneMatch(d -> blog.equals(d.blogId())));
      assertThat(entry("pausing").getString("status")).isEqualTo("paused");
      assertThat(app.json(app.admin("POST", "/api/admin/subscriptions/pausing/resume", null)).getBoolean("paused"))
          .isFalse();
      await().atMost(WAIT).until(() -> receiver.accepted().stream().anyMatch(d -> blog.equals(d.blogId())));
      delete("pausing");
    }
  }

  @Test
  void aRotatedSecretSignsBesideTheOldOneAndIsShownOnce() throws Exception {
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      String first = create("rotating", receiver, new JsonObject()).getString("secret");
      HttpResponse<String> rotated = app.admin("POST", "/api/admin/subscriptions/rotating/secret", null);
      assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
      String second = app.json(rotated).getString("secret");
      assertThat(second).startsWith("whsec_").isNotEqualTo(first);
      String blog = app.publish("rotate-author", "two signatures");
      receiver.secret(second);
      await().atMost(WAIT).until(() -> receiver.accepted().stream().anyMatch(d -> blog.equals(d.blogId())));
      TestReceiver.Delivery d = receiver.accepted().stream().filter(x -> blog.equals(x.blogId())).findFirst().orElseThrow();
      assertThat(d.signature().split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
      // each secret alone verifies it, with the reference library
      for (String secret : List.of(first, second)) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("webhook-id", List.of(d.id()));
        headers.put("webhook-timestamp", List.of(d.timestamp()));
        headers.put("webhook-signature", List.of(d.signature()));
        new Webhook(secret).verify(d.body().encode(), headers);
      }
      assertThat(app.admin("GET", "/api/admin/subscriptions/rotating", null).body()).doesNotContain("whsec_");
      delete("rotating");
    }
  }

  @Test
  void aDeletedSubscriptionLeavesNothingAndItsNameStartsClean() throws Exception {
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      create("again", receiver, new JsonObject());
      String first = app.publish("again-author", "first life");
      await().atMost(WAIT).until(() -> receiver.accepted().stream().anyMatch(d -> first.equals(d.blogId())));
      delete("again");
      assertThat(app.admin("GET", "/api/admin/subscriptions/again", null).statusCode()).isEqualTo(404);
      assertThat(app.get("/api/groups").body()).doesNotContain("sub-again");
      assertThat(await(app.app().stream().admin().listGroups())).doesNotContain("sub-again", "sub-again.replay");
      assertThat(await(app.app().stream().admin().listTopics()).stream().map(t -> t.name()))
          .doesNotContain("blog-events.dlq.sub-again");
      assertThat(app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = 'sub-again'")).isZero();
      assertThat(app.queryLong("SELECT count(*) FROM subscription_deliveries WHERE group_name = 'sub-again'")).isZero();
      String gone = app.publish("again-author", "between lives");
      int seen = receiver.all().size();
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.all().size() == seen);

      receiver.clear();
      create("again", receiver, new JsonObject().put("startFrom", "earliest"));
      String second = app.publish("again-author", "second life");
      await().atMost(WAIT).until(() -> receiver.accepted().stream().anyMatch(d -> second.equals(d.blogId())));
      await().atMost(WAIT).until(() -> receiver.accepted().stream().anyMatch(d -> first.equals(d.blogId())));
      assertThat(receiver.accepted().stream().map(TestReceiver.Delivery::blogId)).as("from the earliest again")
          .contains(first, gone, second);
      delete("again");
    }
  }

  @Test
  void resendsThroughTheSharedTopicNeverGoBackwards() throws Exception {
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      create("forward", receiver, new JsonObject());
      String blog = app.publish("forward-author", "v1");
      update("forward-author", blog, "v2");
      update("forward-author", blog, "v3");
      await().atMost(WAIT).until(() -> receiver.accepted().stream().filter(d -> blog.equals(d.blogId())).count() == 3);
      // the relay sends this blog's events again, as gap healing or a start-up replay would
      long resent = app.queryLong("WITH r AS (UPDATE outbox SET sent_at = NULL WHERE blog_id = $1::uuid RETURNING 1) "
          + "SELECT count(*) FROM r", blog);
      assertThat(resent).isEqualTo(3);
      await().atMost(WAIT).until(() -> app.queryLong("SELECT count(*) FROM outbox WHERE blog_id = $1::uuid "
          + "AND sent_at IS NULL", blog) == 0);
      String other = app.publish("forward-author", "after the re-send");
      await().atMost(WAIT).until(() -> receiver.accepted().stream().anyMatch(d -> other.equals(d.blogId())));
      List<Integer> versions = receiver.all().stream().filter(d -> blog.equals(d.blogId()))
          .map(TestReceiver.Delivery::version).toList();
      assertThat(versions).as("nothing again, nothing older").containsExactly(1, 2, 3);
      delete("forward");
    }
  }

  @Test
  void aSnapshotDeliversEveryLiveBlogOnceThenTheChangesAfterIt() throws Exception {
    Map<String, String> authorOf = new ConcurrentHashMap<>();
    for (int i = 0; i < 30; i++) {
      String author = "snap-" + (i % 6);
      String blog = app.publish(author, "snapshot " + i);
      authorOf.put(blog, author);
      if (i % 5 == 0) {
        update(author, blog, "snapshot " + i + " v2");
      }
      if (i % 7 == 0) {
        deleteBlog(author, blog);
      }
    }
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      receiver.answering(d -> TestReceiver.Answer.after(5));
      create("snap", receiver, new JsonObject().put("startFrom", "snapshot").put("maxInFlight", 4));
      // changes go on while the snapshot is delivered
      for (int i = 0; i < 12; i++) {
        String author = "snap-" + (i % 6);
        String blog = app.publish(author, "during " + i);
        authorOf.put(blog, author);
        List<String> existing = new ArrayList<>(authorOf.keySet());
        String some = existing.get(i % existing.size());
        HttpResponse<String> changed = app.write("PUT", "/api/blogs/" + some, authorOf.get(some),
            new JsonObject().put("authorId", authorOf.get(some)).put("title", "changed " + i).put("body", "b"));
        assertThat(changed.statusCode()).isIn(200, 404);
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(entry("snap").getString("status")).isEqualTo("active");
        assertThat(entry("snap").getLong("lag")).isZero();
      });
      // the receiver's last word on each blog is the table's
      Map<String, Integer> table = new TreeMap<>();
      Map<String, Boolean> live = new TreeMap<>();
      for (io.vertx.sqlclient.Row row : await(app.app().database().pool()
          .query("SELECT blog_id, version, deleted FROM blogs WHERE author_id LIKE 'snap-%'").execute())) {
        table.put(row.getUUID(0).toString(), row.getInteger(1));
        live.put(row.getUUID(0).toString(), !row.getBoolean(2));
      }
      await().atMost(WAIT).untilAsserted(() -> {
        // per blog of this test, the receiver's last delivery
        Map<String, TestReceiver.Delivery> last = new TreeMap<>();
        for (TestReceiver.Delivery d : receiver.accepted()) {
          if (table.containsKey(d.blogId())) {
            last.put(d.blogId(), d);
          }
        }
        table.forEach((blog, version) -> {
          TestReceiver.Delivery d = last.get(blog);
          if (live.get(blog)) {
            assertThat(d).as("live blog " + blog).isNotNull();
            assertThat(d.version()).as("live blog " + blog).isEqualTo(version);
            assertThat(d.type()).isNotEqualTo("blog.deleted");
          } else if (d != null) {
            assertThat(d.type()).as("deleted blog " + blog + " the receiver knew").isEqualTo("blog.deleted");
            assertThat(d.version()).isEqualTo(version);
          }
        });
      });
      List<String> pairs = receiver.accepted().stream().filter(d -> table.containsKey(d.blogId()))
          .map(d -> d.blogId() + "@" + d.version()).toList();
      assertThat(pairs).as("no (blogId, version) twice").doesNotHaveDuplicates();
      assertThat(receiver.accepted().stream().filter(d -> d.type().equals("blog.snapshot")))
          .allSatisfy(d -> assertThat(d.id()).isEqualTo("snapshot-" + d.blogId() + "-" + d.version()))
          .isNotEmpty();
      // each blog's snapshot comes before its later events
      Map<String, Integer> snapshotAt = new HashMap<>();
      for (TestReceiver.Delivery d : receiver.accepted()) {
        if (d.type().equals("blog.snapshot")) {
          snapshotAt.put(d.blogId(), d.version());
        } else if (snapshotAt.containsKey(d.blogId())) {
          assertThat(d.version()).isGreaterThan(snapshotAt.get(d.blogId()));
        }
      }
      delete("snap");
    }
  }
}
