package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FanoutAppTest {

  @TempDir
  static Path dataDir;
  private static RunningApp app;

  @BeforeAll
  static void start() throws Exception {
    app = RunningApp.start(dataDir, "--partitions", "4");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  void infoNamesBackendPartitionsAndDataDir() throws Exception {
    HttpResponse<String> response = app.get("/api/info");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject info = new JsonObject(response.body());
    assertThat(info.getString("backend")).isEqualTo("memory");
    assertThat(info.getInteger("partitions")).isEqualTo(4);
    assertThat(info.getString("version")).isNotBlank();
    assertThat(info.getString("dataDir")).isEqualTo(dataDir.toAbsolutePath().normalize().toString());
    assertThat(info.getString("database")).startsWith("embedded");
    assertThat(info.containsKey("traceUrlTemplate")).as("named, null without --trace-url-template").isTrue();
    assertThat(info.getValue("traceUrlTemplate")).isNull();
  }

  @Test
  void healthChecks() throws Exception {
    assertThat(app.json(app.get("/health/live")).getString("status")).isEqualTo("UP");
    HttpResponse<String> ready = app.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(app.json(ready).getString("status")).isEqualTo("UP");
  }

  @Test
  void topicsAndGroupsReflectTheStream() throws Exception {
    JsonObject topics = app.json(app.get("/api/topics"));
    JsonObject events = topics.getJsonArray("topics").stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("name").equals("blog-events")).findFirst().orElseThrow();
    assertThat(events.getJsonArray("partitions")).hasSize(4);

    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonObject group = app.json(app.get("/api/groups")).getJsonArray("groups").stream()
          .map(JsonObject.class::cast).filter(g -> g.getString("group").equals("counter")).findFirst().orElseThrow();
      assertThat(group.getString("state")).isEqualTo("STABLE");
      assertThat(group.getJsonArray("members")).hasSize(1);
      assertThat(group.getJsonArray("partitions")).hasSize(4);
    });
  }

  @Test
  void servesTheDashboardAndJsonErrorsElsewhere() throws Exception {
    HttpResponse<String> page = app.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Fanout</title>");
    assertThat(app.get("/dashboard.js").statusCode()).isEqualTo(200);
    HttpResponse<String> missing = app.get("/api/nothing-here");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(app.json(missing).getString("error")).isEqualTo("not_found");
  }

  @Test
  void aPartThatFailsToStartClosesThePartsThatStartedBesideIt(@TempDir Path otherDir) throws Exception {
    // nothing listens on port 1: loading the identity provider's keys fails at once, while the embedded
    // PostgreSQL and the Lucene index beside it take longer to open
    Throwable failed;
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      failed = RunningApp.failure(FanoutApp.start(vertx, FanoutOptions.parse(new String[] {"--port", "0",
          "--data-dir", otherDir.toString(), "--jwt-jwks-url", "http://127.0.0.1:1/certs",
          "--jwt-allow-insecure-http", "--jwt-issuer", "https://id.example.org", "--jwt-audience", "blogs"},
          java.util.Map.of())));
    } finally {
      RunningApp.await(vertx.close());
    }
    assertThat(failed).as("the start fails").hasMessageContaining("could not load the JWKS keys");
    // what opened beside it was closed: the database and the index are free for the next start on the data dir
    try (RunningApp again = RunningApp.start(otherDir)) {
      assertThat(again.get("/health/ready").statusCode()).isEqualTo(200);
    }
  }
}
