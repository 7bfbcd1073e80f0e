package dev.fanout.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.AppProcess;
import dev.fanout.app.RunningApp;
import io.vertx.core.internal.VertxInternal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** When tracing is on and off, and the console exporter, on a real app. */
class TracingConfigTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void tracingIsOffUnlessAnExporterIsNamedOrTheSdkIsEnabled() {
    assertThat(Tracing.from(Map.of(), Map.of()).on()).isFalse();
    assertThat(Tracing.from(Map.of("OTEL_TRACES_EXPORTER", "none"), Map.of()).on()).isFalse();
    assertThat(Tracing.from(Map.of("OTEL_SERVICE_NAME", "named", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"),
        Map.of()).on()).as("an endpoint alone starts nothing").isFalse();
    assertThat(Tracing.from(Map.of("OTEL_SDK_DISABLED", "true", "OTEL_TRACES_EXPORTER", "none"), Map.of()).on()).isFalse();
    try (Tracing asked = Tracing.from(Map.of("OTEL_SDK_DISABLED", "false", "OTEL_EXPORTER_OTLP_ENDPOINT",
        "http://127.0.0.1:1"), Map.of())) {
      assertThat(asked.on()).isTrue();
    }
    try (Tracing byProperty = Tracing.from(Map.of(), Map.of("otel.traces.exporter", "otlp",
        "otel.exporter.otlp.endpoint", "http://127.0.0.1:1"))) {
      assertThat(byProperty.on()).isTrue();
    }
  }

  @Test
  void withNothingSetVertxHasNoTracerAndNoSpanIsMade() throws Exception {
    Path dir = Files.createTempDirectory("fanout-tracing-off");
    io.vertx.core.Vertx receiving = io.vertx.core.Vertx.vertx();
    try (OtlpReceiver otlp = OtlpReceiver.start(receiving)) {
      // an endpoint is given, but no exporter is named: tracing stays off
      Tracing tracing = Tracing.from(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint(),
          "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_BSP_SCHEDULE_DELAY", "100"), Map.of());
      assertThat(tracing.on()).isFalse();
      try (RunningApp app = RunningApp.start(dir, tracing)) {
        assertThat(((VertxInternal) app.vertx()).tracer()).as("no tracer given to Vert.x").isNull();
        String blogId = app.publish("untraced-author", "no trace");
        String eventId = app.json(app.get("/api/blogs/" + blogId + "/events")).getJsonArray("events")
            .getJsonObject(0).getString("eventId");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
            "processed".equals(app.json(app.get("/api/events/" + eventId)).getJsonArray("groups").getJsonObject(0)
                .getString("status")));
        assertThat(app.json(app.get("/api/events/" + eventId)).getValue("traceId")).isNull();
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
            .until(() -> otlp.spans().isEmpty());
      }
    } finally {
      RunningApp.await(receiving.close());
      RunningApp.deleteRecursively(dir);
    }
  }

  @Test
  void theConsoleExporterPrintsTheApisSpansOnTheConsoleWhateverTheLogLevel() throws Exception {
    Path dir = Files.createTempDirectory("fanout-tracing-console");
    String traced = "4bf92f3577b34da6a3ce929d0e0e4736";
    String health = "5bf92f3577b34da6a3ce929d0e0e4736";
    String metrics = "6bf92f3577b34da6a3ce929d0e0e4736";
    try (AppProcess app = AppProcess.startWithEnv(dir, "512m", Map.of("OTEL_TRACES_EXPORTER", "console"),
        "--log-level", "error")) {
      get(app, "/health/ready", health);
      get(app, "/metrics", metrics);
      get(app, "/api/info", traced);
      Path console = dir.resolve("app.log");
      Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(Files.readString(console)).as("the span of GET /api/info, continuing the caller's trace")
              .contains(traced).contains("SERVER"));
      // spans are printed as they end, in order: the API's came last
      assertThat(Files.readString(console)).as("health and metrics are not traced")
          .doesNotContain(health).doesNotContain(metrics);
    } finally {
      RunningApp.deleteRecursively(dir);
    }
  }

  private static void get(AppProcess app, String path, String traceId) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
        .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
  }
}
