package dev.fanout.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The proof, per backend: one publish is one trace, exported over real OTLP/HTTP, from the HTTP call
 * through the outbox commit and the stream into the counter, search and a subscription's delivery, and on to
 * the receiver as its {@code traceparent}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnePublishOneTraceTestBase {

  private static final String ADMIN = "tracing-admin-token-0123456789";
  private static final Duration WAIT = Duration.ofSeconds(60);

  private Path dir;
  private Vertx vertx;
  private OtlpReceiver otlp;
  private HttpServer hooks;
  private final List<Map<String, String>> delivered = new CopyOnWriteArrayList<>();
  private RunningApp app;

  /** The backend's flags. */
  abstract List<String> backendFlags();

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("fanout-one-trace");
    vertx = Vertx.vertx();
    otlp = OtlpReceiver.start(vertx);
    hooks = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      delivered.add(Map.of("traceparent", String.valueOf(request.getHeader("traceparent")),
          "blogId", new JsonObject(body.toString()).getJsonObject("data").getString("blogId")));
      request.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<String> flags = new ArrayList<>(List.of("--admin-token", ADMIN, "--subscriptions-allow-private",
        "--partitions", "3"));
    flags.addAll(backendFlags());
    app = RunningApp.start(dir, otlp.tracing(), flags.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (app != null) {
        app.close();
      }
      otlp.close();
      RunningApp.await(vertx.close());
    } finally {
      RunningApp.deleteRecursively(dir);
    }
  }

  @Test
  void onePublishIsOneTraceFromTheHttpCallThroughEveryGroupToTheReceiver() throws Exception {
    HttpResponse<String> created = app.admin("POST", "/api/admin/subscriptions", new JsonObject()
        .put("name", "traced").put("url", "http://127.0.0.1:" + hooks.actualPort() + "/hooks").encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String blogId = app.publish("traced-author", "one trace");
    String eventId = app.json(app.get("/api/blogs/" + blogId + "/events")).getJsonArray("events")
        .getJsonObject(0).getString("eventId");
    JsonObject trace = app.json(app.get("/api/events/" + eventId));
    String traceId = trace.getString("traceId");
    assertThat(traceId).as("the publish's trace id").matches("[0-9a-f]{32}");
    assertThat(trace.getBoolean("sampled")).isTrue();

    Awaitility.await().atMost(WAIT).untilAsserted(() -> {
      List<OtlpReceiver.Received> spans = otlp.spans(s -> s.traceId().equals(traceId));
      assertThat(spans).as("the HTTP call's server span").anyMatch(s -> s.kind().equals("SERVER"));
      for (String group : List.of("counter", "search", "sub-traced")) {
        assertThat(spans).as("the span of group " + group).anyMatch(s -> s.kind().equals("CONSUMER")
            && group.equals(s.attribute("messaging.consumer.group.name"))
            && "blog-events".equals(s.attribute("messaging.destination.name")));
      }
      assertThat(spans).as("the delivery's client span").anyMatch(s -> s.kind().equals("CLIENT"));
      assertThat(otlp.spans(s -> s.name().equals("outbox commit")))
          .as("a commit linked to the publish")
          .anyMatch(s -> s.links().stream().anyMatch(l -> l.traceId().equals(traceId)));
    });
    List<OtlpReceiver.Received> spans = otlp.spans(s -> s.traceId().equals(traceId));
    OtlpReceiver.Received server = spans.stream().filter(s -> s.kind().equals("SERVER")).findFirst().orElseThrow();
    assertThat(server.parentSpanId()).as("a root: the request came without a traceparent").isEmpty();
    OtlpReceiver.Received delivery = spans.stream().filter(s -> s.kind().equals("CLIENT")).findFirst().orElseThrow();
    assertThat(spans).as("the delivery is a child of the subscription's event span")
        .anyMatch(s -> s.spanId().equals(delivery.parentSpanId()) && "sub-traced".equals(
            s.attribute("messaging.consumer.group.name")));
    assertThat(spans.stream().filter(s -> s.kind().equals("CONSUMER")))
        .as("each group's event span is a child of the publish")
        .allMatch(s -> s.parentSpanId().equals(server.spanId()));

    Awaitility.await().atMost(WAIT).until(() -> delivered.stream().anyMatch(d -> d.get("blogId").equals(blogId)));
    String traceparent = delivered.stream().filter(d -> d.get("blogId").equals(blogId)).findFirst().orElseThrow()
        .get("traceparent");
    assertThat(traceparent).as("the receiver's traceparent").startsWith("00-" + traceId + "-" + delivery.spanId());
  }
}
