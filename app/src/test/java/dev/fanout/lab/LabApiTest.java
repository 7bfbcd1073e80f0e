package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lab's HTTP API on a running app: {@code POST /api/admin/lab/runs} needs the admin token, refuses a bad
 * plan naming the field, answers 202 and then 409 while the lab runs; {@code GET /api/lab} (public) shows the
 * progress move and then the result, whose outcome under the publisher's crash is the lab's: Fanout ends
 * consistent, the one-group design and the dual write end short by exactly the crashed events.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabApiTest {

  private static final int PUBLISHES = 40;
  private static final String RUNS = "/api/admin/lab/runs";

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "2", "--retry-backoff-ms", "20", "--breaker-wait-ms", "500");

  private HttpResponse<String> post(String body, String... headers) throws Exception {
    return app.send("POST", RUNS, body == null ? null : "application/json", body, headers);
  }

  private JsonObject lab() throws Exception {
    HttpResponse<String> response = app.get("/api/lab");
    assertThat(response.statusCode()).isEqualTo(200);
    return app.json(response);
  }

  @Test
  @Order(1)
  void nothingRunsAtFirstAndStartingNeedsTheAdminToken() throws Exception {
    assertThat(lab()).isEqualTo(new JsonObject().put("progress", new JsonObject().put("running", false))
        .putNull("lastResult"));
    String plan = new JsonObject().put("publishes", PUBLISHES).encode();
    assertThat(post(plan).statusCode()).isEqualTo(401);
    assertThat(post(plan, "Authorization", "Bearer not-the-admin-token-at-all").statusCode()).isEqualTo(401);
    assertThat(lab().getJsonObject("progress").getBoolean("running")).isFalse();
  }

  @Test
  @Order(2)
  void aBadPlanIsRefusedNamingItsFieldAndStartsNothing() throws Exception {
    Map<String, String> badByField = Map.of(
        "publishes", "{\"publishes\": 2}",
        "faults", "{\"faults\": [\"crash\", \"flood\"]}",
        "settleSeconds", "{\"settleSeconds\": 0}",
        "concurrency", "{\"concurrency\": \"16\"}",
        "outageSeconds", "{\"outageSeconds\": 1.5}",
        "publish", "{\"publish\": 40}");
    for (Map.Entry<String, String> bad : badByField.entrySet()) {
      HttpResponse<String> response = app.admin("POST", RUNS, bad.getValue());
      assertThat(response.statusCode()).as(bad.getValue()).isEqualTo(400);
      JsonObject error = app.json(response);
      assertThat(error.getString("error")).as(bad.getValue()).isEqualTo("invalid_field");
      assertThat(error.getString("field")).as(bad.getValue()).isEqualTo(bad.getKey());
      assertThat(error.getString("message")).as(bad.getValue()).contains(bad.getKey());
    }
    assertThat(app.json(app.admin("POST", RUNS, "{\"faults\": []}")).getString("field")).isEqualTo("faults");
    assertThat(app.json(app.admin("POST", RUNS, "{\"faults\": \"crash,flood\"}")).getString("message"))
        .contains("known faults");
    assertThat(app.admin("POST", RUNS, "{\"publishes\": ").statusCode()).isEqualTo(400);
    assertThat(lab().getJsonObject("progress").getBoolean("running")).isFalse();
  }

  @Test
  @Order(3)
  void aRunIsAcceptedRefusedAgainWhileItGoesFollowedAndMeasured() throws Exception {
    String plan = new JsonObject().put("publishes", PUBLISHES).put("faults", "crash").put("settleSeconds", 3)
        .put("outageSeconds", 1).encode();
    HttpResponse<String> started = app.admin("POST", RUNS, plan);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonObject progress = app.json(started);
    assertThat(progress.getBoolean("running")).isTrue();
    assertThat(progress.getInteger("runs")).isEqualTo(3);

    HttpResponse<String> again = app.admin("POST", RUNS, plan);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(app.json(again).getString("error")).isEqualTo("lab_running");

    // the progress moves through the runs, each through its phases
    Set<String> seen = new LinkedHashSet<>();
    Awaitility.await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofMillis(100)).until(() -> {
      JsonObject now = lab().getJsonObject("progress");
      if (now.getBoolean("running")) {
        assertThat(now.getInteger("runs")).isEqualTo(3);
        if (now.containsKey("design")) {
          assertThat(now.getString("fault")).isEqualTo("crash");
          seen.add(now.getInteger("run") + " d" + now.getString("design") + " " + now.getString("phase"));
        }
        return false;
      }
      return "done".equals(now.getString("phase"));
    });
    assertThat(seen).as("progress seen").anyMatch(s -> s.startsWith("1 d1 "))
        .anyMatch(s -> s.contains(" settling")).anyMatch(s -> s.startsWith("3 d3 "));

    JsonObject result = lab().getJsonObject("lastResult");
    assertThat(result.getJsonObject("plan").getInteger("publishes")).isEqualTo(PUBLISHES);
    assertThat(result.getJsonObject("plan").getJsonArray("faults")).isEqualTo(new JsonArray().add("crash"));
    assertThat(result.getJsonObject("plan").getInteger("settleSeconds")).isEqualTo(3);
    assertThat(result.getString("backend")).isEqualTo("memory");
    assertThat(result.getString("search")).isEqualTo("lucene");
    assertThat(result.getString("startedAt")).isNotBlank();
    assertThat(result.getString("endedAt")).isNotBlank();
    JsonArray runs = result.getJsonArray("runs");
    assertThat(runs).hasSize(3);
    long crashed = new FaultPoints(PUBLISHES, LabSettings.AUTHORS).crashes();
    assertThat(crashed).isEqualTo(2);
    for (int i = 0; i < 3; i++) {
      JsonObject run = runs.getJsonObject(i);
      String design = run.getString("design");
      assertThat(design).isEqualTo(Integer.toString(i + 1));
      assertThat(run.fieldNames()).contains("designName", "fault", "publishes", "acknowledged", "crashed",
          "missingFromSearch", "wrongCounts", "countedTwice", "uncounted", "lost", "consistentAfterMillis",
          "consistent", "keptGoing", "publishesPerSecond", "error");
      assertThat(run.getValue("error")).as(run.encode()).isNull();
      assertThat(run.getString("fault")).isEqualTo("crash");
      assertThat(run.getLong("crashed")).as(run.encode()).isEqualTo(crashed);
      assertThat(run.getLong("acknowledged")).as(run.encode()).isEqualTo(PUBLISHES - crashed);
      assertThat(run.getLong("countedTwice")).as(run.encode()).isZero();
      assertThat(run.getValue("keptGoing")).as("no outage in this run").isNull();
      if (design.equals("3")) {
        assertThat(run.getBoolean("consistent")).as(run.encode()).isTrue();
        assertThat(run.getLong("consistentAfterMillis")).as(run.encode()).isNotNull();
        assertThat(run.getLong("lost")).isZero();
      } else {
        // the crashed events never reached a topic: not in search, not counted, and never made up
        assertThat(run.getBoolean("consistent")).as(run.encode()).isFalse();
        assertThat(run.getValue("consistentAfterMillis")).as(run.encode()).isNull();
        assertThat(run.getLong("lost")).as(run.encode()).isEqualTo(crashed);
        assertThat(run.getLong("missingFromSearch")).as(run.encode()).isEqualTo(crashed);
        assertThat(run.getLong("uncounted")).as(run.encode()).isEqualTo(crashed);
      }
    }
  }
}
