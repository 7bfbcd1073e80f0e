package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FanoutAppTest {

  private static Vertx vertx;
  private static FanoutApp app;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    FanoutOptions options = FanoutOptions.parse(new String[] {"--port", "0", "--partitions", "4"}, Map.of());
    app = await(FanoutApp.start(vertx, options));
  }

  @AfterAll
  static void stop() throws Exception {
    await(app.stop());
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void infoNamesBackendAndPartitions() throws Exception {
    HttpResponse<String> response = get("/api/info");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject info = new JsonObject(response.body());
    assertThat(info.getString("backend")).isEqualTo("memory");
    assertThat(info.getInteger("partitions")).isEqualTo(4);
    assertThat(info.getString("version")).isNotBlank();
  }

  @Test
  void liveness() throws Exception {
    assertThat(new JsonObject(get("/health/live").body()).getString("status")).isEqualTo("UP");
  }

  @Test
  void topicsAndGroupsReflectTheStream() throws Exception {
    await(app.stream().send(FanoutApp.EVENTS_TOPIC, "author-1", Map.of(), new byte[] {1}));
    await(app.stream().subscribe(dev.fanout.stream.SubscribeOptions.of(FanoutApp.EVENTS_TOPIC, "probe"),
        batch -> Future.succeededFuture()));

    JsonObject topics = new JsonObject(get("/api/topics").body());
    assertThat(topics.getJsonArray("topics").getJsonObject(0).getString("name")).isEqualTo("blog-events");
    assertThat(topics.getJsonArray("topics").getJsonObject(0).getJsonArray("partitions")).hasSize(4);

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonObject group = new JsonObject(get("/api/groups").body()).getJsonArray("groups").getJsonObject(0);
      assertThat(group.getString("group")).isEqualTo("probe");
      assertThat(group.getString("state")).isEqualTo("STABLE");
      assertThat(group.getLong("lag")).isZero();
      assertThat(group.getJsonArray("members")).hasSize(1);
    });
  }

  @Test
  void servesTheDashboard() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Fanout</title>");
    assertThat(get("/dashboard.js").statusCode()).isEqualTo(200);
  }
}
