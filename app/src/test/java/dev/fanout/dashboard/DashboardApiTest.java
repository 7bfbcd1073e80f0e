package dev.fanout.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JSON behind the dashboard page: /api/dashboard, the /api/live event stream and the chart library. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardApiTest {

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "3");


  private JsonObject dashboard() throws Exception {
    HttpResponse<String> response = app.get("/api/dashboard");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    return app.json(response);
  }

  private static JsonObject group(JsonObject snapshot, String name) {
    for (Object g : snapshot.getJsonArray("groups")) {
      if (((JsonObject) g).getString("group").equals(name)) {
        return (JsonObject) g;
      }
    }
    throw new AssertionError("no group " + name + " in " + snapshot.encode());
  }

  @Test
  void theSnapshotShowsBothGroupsWithStatusTimeLagRatesAndHistory() throws Exception {
    for (int i = 0; i < 6; i++) {
      app.publish("author-" + i, "blog " + i);
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      JsonObject snapshot = dashboard();
      for (String name : new String[] {"counter", "search"}) {
        JsonObject group = group(snapshot, name);
        assertThat(group.getLong("lag")).isZero();
        assertThat(group.getString("status")).isEqualTo("OK");
        assertThat(group.getJsonObject("figures").getLong("processed")).isEqualTo(6);
      }
    });
    JsonObject snapshot = dashboard();
    assertThat(snapshot.getLong("at")).isPositive();
    JsonObject search = group(snapshot, "search");
    assertThat(search.fieldNames()).contains("state", "status", "lag", "timeLagMillis", "processedPerSecond",
        "consumedPerSecond", "producedPerSecond", "etaSeconds", "idleMembers", "members", "partitions", "figures");
    assertThat(search.getLong("timeLagMillis")).isZero();
    assertThat(search.getLong("etaSeconds")).isZero();
    assertThat(search.getJsonArray("partitions")).hasSize(3);
    JsonObject partition = search.getJsonArray("partitions").getJsonObject(0);
    assertThat(partition.fieldNames()).contains("partition", "committed", "logEnd", "lag", "timeLagMillis", "status", "owner");
    assertThat(search.getJsonArray("members")).hasSize(1);
    assertThat(search.getJsonObject("figures").fieldNames()).contains("retries", "deadLetters", "circuit");

    JsonObject topic = snapshot.getJsonArray("topics").stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("name").equals("blog-events")).findFirst().orElseThrow();
    assertThat(topic.getJsonArray("partitions").stream().mapToLong(p -> ((JsonObject) p).getLong("endOffset")).sum())
        .isEqualTo(6);

    JsonObject outbox = snapshot.getJsonObject("outbox");
    assertThat(outbox.fieldNames()).contains("unsent", "capped", "oldestUnsentMillis", "appendedPerSecond", "readAt")
        .doesNotContain("error");
    assertThat(outbox.getLong("unsent")).isZero();
    assertThat(outbox.getBoolean("capped")).isFalse();
    assertThat(outbox.getValue("oldestUnsentMillis")).isNull();

    JsonObject history = snapshot.getJsonObject("history");
    JsonArray times = history.getJsonArray("t");
    assertThat(times.size()).isGreaterThan(1);
    JsonObject searchHistory = history.getJsonObject("groups").getJsonObject("search");
    assertThat(searchHistory.getJsonArray("lag")).hasSize(times.size());
    assertThat(searchHistory.getJsonArray("consumedPerSecond")).hasSize(times.size());
  }

  @Test
  void theOutboxShowsTheRateEventsAreAppendedAt() throws Exception {
    for (int i = 0; i < 4; i++) {
      app.publish("appended-" + i, "appended " + i);
    }
    // the rate is measured over the last five readings: it stays above 0 for seconds after the publishes
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
        assertThat(dashboard().getJsonObject("outbox").getDouble("appendedPerSecond")).isPositive());
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonObject outbox = dashboard().getJsonObject("outbox");
      assertThat(outbox.getLong("unsent")).isZero();
      assertThat(outbox.getDouble("appendedPerSecond")).isZero();
    });
  }

  @Test
  void aPausedGroupWithLagLeavesOkAndComesBackWhenResumed() throws Exception {
    assertThat(app.admin("POST", "/api/admin/groups/search/pause", null).statusCode()).isEqualTo(200);
    try {
      for (int i = 0; i < 5; i++) {
        app.publish("paused-" + i, "while paused " + i);
      }
      // once the window holds no sample with lag 0: nobody reads the partitions
      Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        JsonObject snapshot = dashboard();
        assertThat(group(snapshot, "search").getString("status")).isEqualTo("STOP");
        assertThat(group(snapshot, "search").getLong("timeLagMillis")).isPositive();
        assertThat(group(snapshot, "search").getValue("etaSeconds")).isNull();
        assertThat(group(snapshot, "counter").getString("status")).isEqualTo("OK");
      });
    } finally {
      assertThat(app.admin("POST", "/api/admin/groups/search/resume", null).statusCode()).isEqualTo(200);
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      JsonObject search = group(dashboard(), "search");
      assertThat(search.getLong("lag")).isZero();
      assertThat(search.getString("status")).isEqualTo("OK");
    });
  }

  @Test
  void anOpenCircuitWithAnEventWaitingIsAStatusOfItsOwnOnTheDashboardAndInApiGroups() throws Exception {
    assertThat(app.admin("POST", "/api/admin/faults", "{\"sink\": \"search\", \"mode\": \"outage\", \"seconds\": 300}")
        .statusCode()).isEqualTo(201);
    try {
      app.publish("circuit-author", "waits for search");
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> app.figures("search").getString("circuit").equals("OPEN"));
      // at once, not after the window forgets the lag of 0 it saw a moment ago
      Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        JsonObject snapshot = dashboard();
        assertThat(group(snapshot, "search").getLong("lag")).isPositive();
        assertThat(group(snapshot, "search").getString("status")).isEqualTo("OPEN");
        assertThat(group(snapshot, "counter").getString("status")).isEqualTo("OK");
        assertThat(app.group("search").getString("status")).isEqualTo("OPEN");
        assertThat(app.group("counter").getString("status")).isEqualTo("OK");
      });
    } finally {
      assertThat(app.admin("DELETE", "/api/admin/faults", null).statusCode()).isEqualTo(200);
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(group(dashboard(), "search").getString("status")).isEqualTo("OK");
      assertThat(app.group("search").getString("status")).isEqualTo("OK");
      assertThat(app.group("search").getLong("lag")).isZero();
    });
  }

  @Test
  void liveSendsASnapshotAtConnectAndThenOneASecond() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.app().port() + "/api/live")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo("retry: 1000");
      JsonObject first = nextSnapshot(lines);
      assertThat(first.getJsonArray("groups").stream().map(g -> ((JsonObject) g).getString("group")))
          .contains("counter", "search");
      long started = System.nanoTime();
      JsonObject second = nextSnapshot(lines);
      assertThat(second.getLong("at")).isGreaterThan(first.getLong("at"));
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }
  }

  /** Reads up to the next {@code snapshot} event and returns its data. */
  private static JsonObject nextSnapshot(BufferedReader lines) throws Exception {
    String event = null;
    for (String line; (line = lines.readLine()) != null; ) {
      if (line.startsWith("event: ")) {
        event = line.substring(7);
      } else if (line.startsWith("data: ") && "snapshot".equals(event)) {
        return new JsonObject(line.substring(6));
      }
    }
    throw new AssertionError("the event stream ended");
  }

  @Test
  void thePageAndTheChartLibraryAreServed() throws Exception {
    HttpResponse<String> page = app.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("/dashboard.js", "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
    HttpResponse<String> uplot = app.get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.body()).contains("uPlot");
    assertThat(app.get("/webjars/uplot/1.6.30/dist/uPlot.min.css").statusCode()).isEqualTo(200);
  }
}
