package dev.fanout.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Following one event through the groups ({@code GET /api/events/{eventId}}, {@code GET /api/blogs/{blogId}/events})
 * on one stream backend, with a real PostgreSQL: every status the trace can show is brought about for real
 * (no relay leading, a search outage, a failure rate, a poison event and its replay) and read back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EventTraceContractBase {

  /** Tries per sink call; the backoff is long so that a failed attempt stays visible for a while. */
  private static final int ATTEMPTS = 2;
  /** The outbox relay's advisory lock key (OutboxRelay.LOCK_KEY): whoever holds it is the relay. */
  private static final long RELAY_LOCK = 0x46616e6f75744f42L;

  private Path dataDir;
  RunningApp app;

  /** Flags that select the backend under test. */
  abstract String[] backendFlags();

  @BeforeAll
  void start() throws Exception {
    dataDir = Files.createTempDirectory("fanout-trace");
    List<String> flags = new ArrayList<>(List.of("--partitions", "2", "--retry-attempts", Integer.toString(ATTEMPTS),
        "--retry-backoff-ms", "1500", "--breaker-wait-ms", "1000"));
    flags.addAll(List.of(backendFlags()));
    app = RunningApp.start(dataDir, flags.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    RunningApp.deleteRecursively(dataDir);
  }

  @AfterEach
  void clearFaults() throws Exception {
    assertThat(app.admin("DELETE", "/api/admin/faults", null).statusCode()).isEqualTo(200);
  }

  @Test
  void withTracingOffAnEventNamesNoTraceEvenWhenTheRequestCarriedOne() throws Exception {
    HttpResponse<String> response = app.send("POST", "/api/blogs", "application/json",
        new JsonObject().put("authorId", "trace-off").put("title", "untraced").put("body", "b").encode(),
        "Authorization", "Bearer " + app.authorToken("trace-off"),
        "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    String eventId = app.json(response).getString("eventId");
    JsonObject trace = trace(eventId);
    assertThat(trace.containsKey("traceId")).isTrue();
    assertThat(trace.getValue("traceId")).isNull();
    assertThat(trace.containsKey("sampled")).isTrue();
    assertThat(trace.getValue("sampled")).isNull();
    assertThat(RunningApp.await(app.app().database().pool()
        .preparedQuery("SELECT traceparent FROM outbox WHERE event_id = $1::uuid").execute(Tuple.of(eventId)))
        .iterator().next().getString("traceparent")).isNull();
  }

  @Test
  void anEventHandledByEveryGroupShowsWhereItLandedAndWhenEachGroupHandledIt() throws Exception {
    JsonObject first = publish("trace-ok", "first");
    JsonObject second = publish("trace-ok", "second");
    JsonObject updated = app.json(app.write("PUT", "/api/blogs/" + first.getString("blogId"), "trace-ok",
        new JsonObject().put("authorId", "trace-ok").put("title", "first, again").put("body", "b")));

    for (JsonObject written : List.of(first, second, updated)) {
      // a group records an event handled before it commits past it, and may handle it before the relay
      // marks it sent (with its offset): wait for all of them
      JsonObject trace = awaitTrace(written.getString("eventId"), t -> allAre(t, "processed")
          && t.getLong("offset") != null && groups(t).stream().allMatch(g -> g.getLong("committedOffset") != null
          && g.getLong("committedOffset") > t.getLong("offset")));
      assertThat(trace.getString("blogId")).isEqualTo(written.getString("blogId"));
      assertThat(trace.getString("authorId")).isEqualTo("trace-ok");
      assertThat(trace.getInteger("version")).isEqualTo(written.getInteger("version"));
      assertThat(Instant.parse(trace.getString("sentAt"))).isAfterOrEqualTo(Instant.parse(trace.getString("committedAt")));
      assertThat(trace.getInteger("partition")).isBetween(0, 1);
      for (JsonObject group : groups(trace)) {
        assertThat(group.getLong("committedOffset")).as(group.encode()).isGreaterThan(trace.getLong("offset"));
        assertThat(group.getValue("behind")).isNull();
        // a group may handle an event before the relay marks it sent (the mark follows the stream's ack)
        assertThat(Instant.parse(group.getString("processedAt"))).isAfterOrEqualTo(Instant.parse(trace.getString("committedAt")));
        assertThat(group.getInteger("attempts")).isZero();
        assertThat(group.getValue("lastError")).isNull();
        assertThat(group.getValue("deadLetteredAt")).isNull();
        assertThat(group.getValue("replayedAt")).isNull();
      }
      assertThat(groups(trace)).extracting(g -> g.getString("group")).containsExactly("counter", "search");
    }
    JsonObject a = trace(first.getString("eventId"));
    JsonObject b = trace(second.getString("eventId"));
    JsonObject c = trace(updated.getString("eventId"));
    assertThat(a.getString("type")).isEqualTo("BlogPublished");
    assertThat(c.getString("type")).isEqualTo("BlogUpdated");
    // one author, one partition: the relay's sends landed one after the other, in write order
    assertThat(List.of(b.getInteger("partition"), c.getInteger("partition"))).containsOnly(a.getInteger("partition"));
    assertThat(b.getLong("offset")).isEqualTo(a.getLong("offset") + 1);
    assertThat(c.getLong("offset")).isEqualTo(a.getLong("offset") + 2);

    JsonObject blog = app.json(ok(app.get("/api/blogs/" + first.getString("blogId") + "/events")));
    assertThat(blog.getString("blogId")).isEqualTo(first.getString("blogId"));
    JsonArray events = blog.getJsonArray("events");
    assertThat(events).hasSize(2);
    assertThat(events.getJsonObject(0)).as("newest first").isEqualTo(c);
    assertThat(events.getJsonObject(1)).isEqualTo(a);
  }

  @Test
  void unknownIdsAreNotFoundAndMalformedOnesAreNamed() throws Exception {
    String unknown = "0b6f3a52-5c1e-4f7e-9d3a-2f4b8c1d9e70";
    assertError(app.get("/api/events/" + unknown), 404, "not_found", null);
    assertError(app.get("/api/blogs/" + unknown + "/events"), 404, "not_found", null);
    assertError(app.get("/api/events/not-a-uuid"), 400, "invalid_field", "eventId");
    assertError(app.get("/api/events/1-2-3-4-5"), 400, "invalid_field", "eventId");
    assertError(app.get("/api/blogs/%3Cb%3E/events"), 400, "invalid_field", "blogId");
  }

  @Test
  void anEventIsNotSentWhileNoRelayLeadsThenGoesThrough() throws Exception {
    SqlConnection lock = RunningApp.await(app.app().database().pool().getConnection());
    JsonObject written;
    try {
      // end the relay's session and take its lock: no relay sends while this test holds it
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
        RunningApp.await(lock.preparedQuery("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
            + "AND granted AND ((classid::bigint << 32) | objid::bigint) = $1 AND pid <> pg_backend_pid()")
            .execute(Tuple.of(RELAY_LOCK)));
        return RunningApp.await(lock.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked").execute(Tuple.of(RELAY_LOCK)))
            .iterator().next().getBoolean("locked");
      });
      written = publish("trace-unsent", "waits for a relay");
      JsonObject trace = trace(written.getString("eventId"));
      assertThat(trace.getValue("sentAt")).isNull();
      assertThat(trace.getValue("partition")).isNull();
      assertThat(trace.getValue("offset")).isNull();
      assertThat(trace.getString("committedAt")).isNotNull();
      for (JsonObject group : groups(trace)) {
        assertThat(group.getString("status")).as(group.encode()).isEqualTo("not_sent");
        assertThat(group.getValue("behind")).isNull();
        assertThat(group.getValue("processedAt")).isNull();
      }
    } finally {
      RunningApp.await(lock.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(RELAY_LOCK)));
      RunningApp.await(lock.close());
    }
    // a group may handle an event before the relay marks it sent: wait for the mark too
    JsonObject sent = awaitTrace(written.getString("eventId"), t -> allAre(t, "processed") && t.getValue("sentAt") != null);
    assertThat(sent.getString("sentAt")).isNotNull();
    assertThat(sent.getLong("offset")).isNotNull();
  }

  @Test
  void duringASearchOutageEventsArePendingBehindTheOneSearchRetriesAndAllAreProcessedAfter() throws Exception {
    // the author's partition has a committed offset before the outage
    awaitTrace(publish("trace-outage", "before the outage").getString("eventId"), t -> allAre(t, "processed"));
    awaitDrained();
    fault(new JsonObject().put("sink", "search").put("mode", "outage").put("seconds", 300));
    JsonObject head = publish("trace-outage", "the one search tries");
    // the search group tries it while its circuit is closed, and the circuit opens
    JsonObject tried = awaitTrace(head.getString("eventId"), t -> status(t, "search").equals("retrying"));
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> app.figures("search").getString("circuit").equals("OPEN"));

    List<JsonObject> waiting = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      waiting.add(publish("trace-outage", "waits " + i));
    }
    long headOffset = tried.getLong("offset");
    for (int i = 0; i < waiting.size(); i++) {
      JsonObject trace = awaitTrace(waiting.get(i).getString("eventId"), t -> t.getValue("sentAt") != null
          && status(t, "counter").equals("processed"));
      assertThat(trace.getInteger("partition")).isEqualTo(tried.getInteger("partition"));
      assertThat(trace.getLong("offset")).isEqualTo(headOffset + i + 1);
      JsonObject search = group(trace, "search");
      assertThat(search.getString("status")).as(search.encode()).isEqualTo("pending");
      assertThat(search.getLong("committedOffset")).isEqualTo(headOffset);
      assertThat(search.getLong("behind")).as("records of its partition before it").isEqualTo(i + 1);
      assertThat(search.getInteger("attempts")).isZero();
      assertThat(search.getValue("processedAt")).isNull();
    }
    // the breaker's probes (one a second) try the sink, not the events: what waits stays pending through them
    String last = waiting.get(waiting.size() - 1).getString("eventId");
    Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> group(trace(last), "search").getString("status").equals("pending"));
    JsonObject headNow = group(trace(head.getString("eventId")), "search");
    assertThat(headNow.getString("status")).isEqualTo("retrying");
    assertThat(headNow.getLong("behind")).isZero();
    assertThat(headNow.getInteger("attempts")).isBetween(1, 10);
    assertThat(headNow.getString("lastError")).contains("injected outage of sink search");
    assertThat(group(trace(head.getString("eventId")), "counter").getString("status")).isEqualTo("processed");

    clearFaults();
    for (JsonObject written : List.of(head, waiting.get(0), waiting.get(1), waiting.get(2))) {
      JsonObject search = group(awaitTrace(written.getString("eventId"), t -> allAre(t, "processed")), "search");
      assertThat(search.getValue("behind")).isNull();
      assertThat(search.getString("processedAt")).isNotNull();
    }
    assertThat(group(trace(head.getString("eventId")), "search").getInteger("attempts"))
        .as("the attempts stay on the record").isEqualTo(headNow.getInteger("attempts"));
    assertThat(group(trace(waiting.get(2).getString("eventId")), "search").getInteger("attempts")).isZero();
  }

  @Test
  void underAFailureRateAnEventShowsItsFailedAttemptsWhileRetryingThenIsProcessed() throws Exception {
    awaitDrained();
    fault(new JsonObject().put("sink", "search").put("mode", "fail").put("rate", 0.3).put("seconds", 600));
    AtomicBoolean sawRetrying = new AtomicBoolean();
    JsonObject retried = null;
    // a publish's first search attempt fails 3 times in 10: within 40 publishes one does, all but surely
    for (int i = 0; i < 40 && !sawRetrying.get(); i++) {
      JsonObject written = publish("trace-rate-" + i, "under a failure rate " + i);
      JsonObject processed = Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            JsonObject trace = trace(written.getString("eventId"));
            JsonObject search = group(trace, "search");
            if (search.getString("status").equals("retrying")) {
              assertThat(search.getInteger("attempts")).isGreaterThanOrEqualTo(1);
              assertThat(search.getString("lastError")).contains("injected failure of sink search");
              assertThat(search.getLong("behind")).isZero();
              assertThat(search.getValue("processedAt")).isNull();
              sawRetrying.set(true);
            }
            return trace;
          }, t -> allAre(t, "processed"));
      if (sawRetrying.get()) {
        retried = processed;
      }
    }
    assertThat(sawRetrying).as("some event was seen retrying").isTrue();
    JsonObject search = group(retried, "search");
    assertThat(search.getInteger("attempts")).isGreaterThanOrEqualTo(1);
    assertThat(search.getString("lastError")).contains("injected failure of sink search");
    assertThat(search.getString("processedAt")).isNotNull();
    assertThat(group(retried, "counter").getInteger("attempts")).as("the counter never failed").isZero();
  }

  @Test
  void aPoisonEventIsDeadLetteredInItsGroupOnlyThenReplayed() throws Exception {
    awaitDrained();
    RunningApp.await(app.app().database().pool().query(
        "ALTER TABLE author_stats ADD CONSTRAINT trace_poison CHECK (author_id <> 'trace-poison')").execute());
    JsonObject poison;
    try {
      poison = publish("trace-poison", "the poison");
      // the dead-lettering is written before the group commits past it: wait for the commit too
      JsonObject trace = awaitTrace(poison.getString("eventId"), t -> status(t, "counter").equals("dead_lettered")
          && status(t, "search").equals("processed")
          && group(t, "counter").getLong("committedOffset") > t.getLong("offset"));
      JsonObject counter = group(trace, "counter");
      assertThat(counter.getInteger("attempts")).isEqualTo(ATTEMPTS);
      assertThat(counter.getString("lastError")).contains("trace_poison");
      assertThat(counter.getString("deadLetteredAt")).isNotNull();
      assertThat(counter.getValue("processedAt")).isNull();
      assertThat(counter.getValue("replayedAt")).isNull();
      assertThat(counter.getValue("behind")).isNull();
      assertThat(group(trace, "search").getInteger("attempts")).isZero();
    } finally {
      RunningApp.await(app.app().database().pool().query("ALTER TABLE author_stats DROP CONSTRAINT trace_poison").execute());
    }
    JsonObject replay = app.json(app.admin("POST", "/api/admin/groups/counter/dead-letters/replay", null));
    assertThat(replay.getLong("replayed")).as(replay.encode()).isEqualTo(1);

    JsonObject trace = trace(poison.getString("eventId"));
    JsonObject counter = group(trace, "counter");
    assertThat(counter.getString("status")).isEqualTo("replayed");
    assertThat(Instant.parse(counter.getString("replayedAt"))).isAfter(Instant.parse(counter.getString("deadLetteredAt")));
    assertThat(counter.getString("processedAt")).isNotNull();
    assertThat(counter.getInteger("attempts")).isEqualTo(ATTEMPTS);
    assertThat(group(trace, "search").getString("status")).isEqualTo("processed");
    JsonArray events = app.json(ok(app.get("/api/blogs/" + poison.getString("blogId") + "/events"))).getJsonArray("events");
    assertThat(events).containsExactly(trace);
  }

  // --- helpers

  private JsonObject publish(String author, String title) throws Exception {
    HttpResponse<String> response = app.write("POST", "/api/blogs", author,
        new JsonObject().put("authorId", author).put("title", title).put("body", "a body for " + title));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return app.json(response);
  }

  private void fault(JsonObject fault) throws Exception {
    HttpResponse<String> response = app.admin("POST", "/api/admin/faults", fault.encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
  }

  private void awaitDrained() {
    waiting().untilAsserted(() -> {
      assertThat(app.group("search").getLong("lag")).isZero();
      assertThat(app.group("counter").getLong("lag")).isZero();
    });
  }

  private JsonObject trace(String eventId) throws Exception {
    return app.json(ok(app.get("/api/events/" + eventId)));
  }

  private JsonObject awaitTrace(String eventId, java.util.function.Predicate<JsonObject> condition) {
    return waiting().until(() -> trace(eventId), condition);
  }

  private static ConditionFactory waiting() {
    return Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100));
  }

  private static HttpResponse<String> ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  private void assertError(HttpResponse<String> response, int status, String error, String field) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonObject body = app.json(response);
    assertThat(body.getString("error")).isEqualTo(error);
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("field")).isEqualTo(field);
  }

  private static List<JsonObject> groups(JsonObject trace) {
    List<JsonObject> groups = new ArrayList<>();
    trace.getJsonArray("groups").forEach(g -> groups.add((JsonObject) g));
    return groups;
  }

  private static JsonObject group(JsonObject trace, String name) {
    return groups(trace).stream().filter(g -> g.getString("group").equals(name)).findFirst().orElseThrow();
  }

  private static String status(JsonObject trace, String group) {
    return group(trace, group).getString("status");
  }

  private static boolean allAre(JsonObject trace, String status) {
    return groups(trace).stream().allMatch(g -> g.getString("status").equals(status));
  }
}
