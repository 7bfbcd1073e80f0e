package dev.fanout.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /api/live} keeps at most {@code --live-max-connections} connections open; a closed one frees its place. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveConnectionsTest {

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "2", "--live-max-connections", "2");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private HttpResponse<InputStream> live() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.app().port() + "/api/live")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  @Test
  void oneConnectionBeyondTheLimitIsRefusedUntilAnotherCloses() throws Exception {
    List<HttpResponse<InputStream>> open = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      HttpResponse<InputStream> response = live();
      assertThat(response.statusCode()).isEqualTo(200);
      open.add(response);
    }
    HttpResponse<InputStream> refused = live();
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    JsonObject body = new JsonObject(new String(refused.body().readAllBytes(), StandardCharsets.UTF_8));
    assertThat(body.getString("error")).isEqualTo("too_many_viewers");

    open.get(0).body().close();
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      HttpResponse<InputStream> again = live();
      try {
        assertThat(again.statusCode()).as("a place freed by the closed connection").isEqualTo(200);
      } finally {
        again.body().close();
      }
    });
    open.get(1).body().close();
  }
}
