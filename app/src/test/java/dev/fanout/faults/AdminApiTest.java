package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin API's guard, the fault injection API, the group controls and the metrics, over HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {

  private static final String TOKEN = "test-admin-token-0123456789";

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "3", "--admin-token", TOKEN);


  @Test
  void everyAdminRouteNeedsTheToken() throws Exception {
    for (String[] route : new String[][] {{"GET", "/api/admin/faults"}, {"DELETE", "/api/admin/faults"},
        {"POST", "/api/admin/groups/search/pause"}, {"POST", "/api/admin/audit/repair"}, {"POST", "/api/admin/nothing"}}) {
      HttpResponse<String> none = app.send(route[0], route[1], null, null);
      assertThat(none.statusCode()).as(route[1]).isEqualTo(401);
      assertThat(app.json(none).getString("error")).isEqualTo("unauthorized");
      assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
      HttpResponse<String> wrong = app.send(route[0], route[1], null, null, "Authorization", "Bearer " + TOKEN + "x");
      assertThat(wrong.statusCode()).as(route[1]).isEqualTo(401);
    }
    assertThat(app.send("GET", "/api/admin/faults", null, null, "Authorization", "Bearer " + TOKEN).statusCode())
        .isEqualTo(200);
    assertThat(app.send("GET", "/api/admin/faults", null, null, "Authorization", "Basic " + TOKEN).statusCode())
        .isEqualTo(401);
    assertThat(app.get("/api/groups").statusCode()).as("reading stays open").isEqualTo(200);
  }

  @Test
  void faultsAreAddedListedAndCleared() throws Exception {
    HttpResponse<String> added = app.admin("POST", "/api/admin/faults", "{\"sink\": \"search\", \"mode\": \"fail\", \"rate\": 0.3}");
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    assertThat(app.admin("POST", "/api/admin/faults",
        "{\"sink\": \"counter\", \"mode\": \"latency\", \"millis\": 5, \"seconds\": 600}").statusCode()).isEqualTo(201);
    JsonArray faults = app.json(app.admin("GET", "/api/admin/faults", null)).getJsonArray("faults");
    assertThat(faults).hasSize(2);
    assertThat(faults.getJsonObject(0).getString("sink")).isEqualTo("counter");
    assertThat(faults.getJsonObject(1)).isEqualTo(new JsonObject().put("sink", "search").put("mode", "fail")
        .put("rate", 0.3).putNull("until"));

    HttpResponse<String> bad = app.admin("POST", "/api/admin/faults", "{\"sink\": \"search\", \"mode\": \"fail\", \"rate\": 7}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(app.json(bad).getString("field")).isEqualTo("rate");
    assertThat(app.admin("POST", "/api/admin/faults", "not json").statusCode()).isEqualTo(400);
    assertThat(app.json(app.admin("GET", "/api/admin/faults", null)).getJsonArray("faults")).hasSize(2);

    assertThat(app.json(app.admin("DELETE", "/api/admin/faults", null)).getInteger("cleared")).isEqualTo(2);
    assertThat(app.json(app.admin("GET", "/api/admin/faults", null)).getJsonArray("faults")).isEmpty();
  }

  @Test
  void groupsArePausedResumedResizedAndResetByTheirControls() throws Exception {
    assertThat(app.admin("POST", "/api/admin/groups/nosuch/pause", null).statusCode()).isEqualTo(404);

    JsonObject paused = app.json(app.admin("POST", "/api/admin/groups/counter/pause", null));
    assertThat(paused.getBoolean("paused")).isTrue();
    String blogId = app.publish("paused-author", "written while the counter is paused");
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(app.group("counter").getLong("lag")).isPositive());
    assertThat(app.json(app.get("/api/authors/paused-author")).getLong("blogCount")).isZero();
    assertThat(app.figures("counter").getBoolean("paused")).isTrue();
    app.admin("POST", "/api/admin/groups/counter/resume", null);
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(app.json(app.get("/api/authors/paused-author")).getLong("blogCount")).isEqualTo(1));
    assertThat(blogId).isNotBlank();

    JsonObject added = app.json(app.admin("POST", "/api/admin/groups/search/members", null));
    assertThat(added.getInteger("localMembers")).isEqualTo(2);
    app.admin("POST", "/api/admin/groups/search/members", null);
    app.admin("POST", "/api/admin/groups/search/members", null);
    // four members, three partitions: one sits idle
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonArray members = app.group("search").getJsonArray("members");
      assertThat(members).hasSize(4);
      assertThat(members.stream().filter(m -> ((JsonObject) m).getBoolean("idle")).count()).isEqualTo(1);
    });
    for (int i = 0; i < 3; i++) {
      assertThat(app.admin("DELETE", "/api/admin/groups/search/members", null).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> last = app.admin("DELETE", "/api/admin/groups/search/members", null);
    assertThat(last.statusCode()).isEqualTo(409);
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(app.group("search").getJsonArray("members")).hasSize(1));

    HttpResponse<String> preview = app.admin("POST", "/api/admin/groups/counter/reset",
        "{\"to\": \"earliest\", \"preview\": true}");
    assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
    assertThat(app.json(preview).getJsonArray("offsets")).hasSize(3)
        .allMatch(o -> ((JsonObject) o).getLong("offset") == 0L);
    assertThat(app.group("counter").getLong("lag")).as("a preview changes nothing").isZero();
    HttpResponse<String> badReset = app.admin("POST", "/api/admin/groups/counter/reset", "{\"to\": \"yesterday\"}");
    assertThat(badReset.statusCode()).isEqualTo(400);
    assertThat(app.json(badReset).getString("field")).isEqualTo("to");
  }

  @Test
  void aResetForwardMakesWhatTheGroupPassedOverSkippedAndNotProcessed() throws Exception {
    app.admin("POST", "/api/admin/groups/counter/pause", null);
    String blogId = app.publish("reset-author", "passed over by a reset to latest");
    String eventId = app.json(app.get("/api/blogs/" + blogId + "/events")).getJsonArray("events")
        .getJsonObject(0).getString("eventId");
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(traceStatus(eventId, "search")).isEqualTo("processed"));
    HttpResponse<String> reset = app.admin("POST", "/api/admin/groups/counter/reset", "{\"to\": \"latest\"}");
    assertThat(reset.statusCode()).as(reset.body()).isEqualTo(200);
    app.admin("POST", "/api/admin/groups/counter/resume", null);
    // the relay's leader finds it from the reset's note, long after its first look at everything
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(traceStatus(eventId, "counter")).isEqualTo("skipped"));
    assertThat(app.json(app.get("/api/authors/reset-author")).getLong("blogCount")).isZero();
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(app.queryLong("SELECT count(*) FROM offset_resets")).as("the note goes once acted on").isZero());
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
  void metricsArePrometheusTextPerGroup() throws Exception {
    app.publish("metrics-author", "counted and measured");
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      HttpResponse<String> metrics = app.get("/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      assertThat(metrics.body())
          .contains("fanout_consumer_processed_total{group=\"counter\"}")
          .contains("fanout_consumer_processed_total{group=\"search\"}")
          .contains("fanout_consumer_retried_total{group=\"search\"}")
          .contains("fanout_consumer_dead_lettered_total{group=\"counter\"}")
          .contains("fanout_consumer_circuit_open{group=\"search\"} 0")
          .contains("fanout_consumer_latency_seconds_bucket{group=\"counter\"");
      assertThat(app.figures("counter").getLong("processed")).isPositive();
    });
  }
}
