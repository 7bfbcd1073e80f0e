package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.events.BlogEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two app instances on one PostgreSQL and one Kafka: both take publishes, one outbox relay works at a
 * time, and every event reaches the stream once at least, each blog's events in version order. An event's
 * trace is the same whichever instance is asked, while it waits and after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoInstancesTest {

  private Path dirA;
  private Path dirB;
  private RunningApp a;
  private RunningApp b;

  @BeforeAll
  void start() throws Exception {
    dirA = Files.createTempDirectory("fanout-a");
    dirB = Files.createTempDirectory("fanout-b");
    a = RunningApp.start(dirA, "--backend", "kafka", "--partitions", "4");
    JsonObject info = a.json(a.get("/api/info"));
    PgConnectOptions pg = a.app().database().connectOptions();
    String pgUrl = "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@" + pg.getHost() + ":" + pg.getPort()
        + "/" + pg.getDatabase();
    b = RunningApp.start(dirB, "--backend", "kafka", "--partitions", "4",
        "--kafka-bootstrap", info.getString("bootstrapServers"), "--pg-url", pgUrl);
  }

  @AfterAll
  void stop() throws Exception {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    RunningApp.deleteRecursively(dirA);
    RunningApp.deleteRecursively(dirB);
  }

  @Test
  void bothInstancesPublishAndEveryEventArrivesInOrderPerBlog() throws Exception {
    List<BlogEvent> seen = new CopyOnWriteArrayList<>();
    GroupMember probe = RunningApp.await(a.app().stream().subscribe(
        SubscribeOptions.of(FanoutApp.EVENTS_TOPIC, "order-probe-" + UUID.randomUUID()), batch -> {
          for (StreamRecord record : batch) {
            seen.add(BlogEvent.decode(record.value()));
          }
          return Future.succeededFuture();
        }));

    Set<UUID> written = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 200; i++) {
      RunningApp writer = i % 2 == 0 ? a : b;
      RunningApp other = i % 2 == 0 ? b : a;
      String author = "two-" + (i % 10);
      JsonObject draft = new JsonObject().put("authorId", author).put("title", "t" + i).put("body", "b");
      HttpResponse<String> created = writer.write("POST", "/api/blogs", author, draft);
      assertThat(created.statusCode()).isEqualTo(201);
      JsonObject blog = writer.json(created);
      written.add(UUID.fromString(blog.getString("eventId")));
      HttpResponse<String> updated = other.write("PUT", "/api/blogs/" + blog.getString("blogId"), author,
          draft.put("title", "u" + i));
      assertThat(updated.statusCode()).isEqualTo(200);
      written.add(UUID.fromString(other.json(updated).getString("eventId")));
    }

    Awaitility.await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
      Set<UUID> arrived = ConcurrentHashMap.newKeySet();
      seen.forEach(event -> arrived.add(event.eventId()));
      assertThat(arrived).containsAll(written);
    });
    // first arrivals of each blog's events come in version order
    assertThat(EventOrder.violations(seen)).isEmpty();
    assertThat(a.queryLong("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).isZero();
    RunningApp.await(probe.leave());

    Awaitility.await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
      for (int author = 0; author < 10; author++) {
        assertThat(a.json(a.get("/api/authors/two-" + author)).getLong("blogCount")).isEqualTo(20);
        assertThat(b.json(b.get("/api/authors/two-" + author)).getLong("blogCount")).isEqualTo(20);
      }
    });
  }

  @Test
  void anEventsTraceIsTheSameFromEitherInstance() throws Exception {
    // nothing of another test still waits for search in the partition the trace is about
    Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> a.group("search").getLong("lag") == 0);
    String outage = new JsonObject().put("sink", "search").put("mode", "outage").put("seconds", 300).encode();
    for (RunningApp instance : List.of(a, b)) {
      assertThat(instance.admin("POST", "/api/admin/faults", outage).statusCode()).isEqualTo(201);
    }
    try {
      String head = publishEvent(a, "two-trace", "tried during the outage");
      Awaitility.await().atMost(Duration.ofSeconds(120)).until(() ->
          searchStatus(a.json(a.get("/api/events/" + head))).equals("retrying"));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
          a.figures("search").getString("circuit").equals("OPEN") || b.figures("search").getString("circuit").equals("OPEN"));
      String waiting = publishEvent(b, "two-trace", "waits behind it");
      Awaitility.await().atMost(Duration.ofSeconds(120)).until(() ->
          searchStatus(b.json(b.get("/api/events/" + waiting))).equals("pending"));
      // the counter may still be committing past them: compare once it is done
      Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        for (String event : List.of(head, waiting)) {
          JsonObject fromA = a.json(a.get("/api/events/" + event));
          assertThat(b.json(b.get("/api/events/" + event))).isEqualTo(fromA);
        }
      });
      JsonObject pending = a.json(a.get("/api/events/" + waiting));
      assertThat(pending.getJsonArray("groups").getJsonObject(1).getLong("behind")).isEqualTo(1);
    } finally {
      for (RunningApp instance : List.of(a, b)) {
        instance.admin("DELETE", "/api/admin/faults", null);
      }
    }
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      events.add(publishEvent(i % 2 == 0 ? a : b, "two-trace-" + i, "after " + i));
    }
    Awaitility.await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
      for (String event : events) {
        JsonObject fromA = a.json(a.get("/api/events/" + event));
        assertThat(fromA.getJsonArray("groups")).allSatisfy(g ->
            assertThat(((JsonObject) g).getString("status")).isEqualTo("processed"));
        assertThat(b.json(b.get("/api/events/" + event))).isEqualTo(fromA);
      }
    });
  }

  private static String publishEvent(RunningApp writer, String author, String title) throws Exception {
    HttpResponse<String> created = writer.write("POST", "/api/blogs", author,
        new JsonObject().put("authorId", author).put("title", title).put("body", "b"));
    assertThat(created.statusCode()).isEqualTo(201);
    return writer.json(created).getString("eventId");
  }

  private static String searchStatus(JsonObject trace) {
    for (Object group : trace.getJsonArray("groups")) {
      if (((JsonObject) group).getString("group").equals("search")) {
        return ((JsonObject) group).getString("status");
      }
    }
    throw new IllegalStateException("no search group in " + trace.encode());
  }
}
