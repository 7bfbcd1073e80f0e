package dev.fanout.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutApp;
import dev.fanout.app.RunningApp;
import dev.fanout.events.BlogEvent;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.tracing.OtlpReceiver;
import dev.fanout.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publish side of tracing, with a real SDK exporting to a real OTLP receiver: a publish's trace context is
 * kept with its outbox row, travels as the stream record's {@code traceparent} header, is named by
 * {@code /api/events/{id}}, and its transaction is an {@code outbox commit} span linked to it. (With tracing
 * off, see {@link EventTraceContractBase}.)
 */
class PublishTracingTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_SPAN = "00f067aa0ba902b7";

  private Path dataDir;
  private Vertx receiving;
  private OtlpReceiver receiver;
  private RunningApp app;

  @BeforeEach
  void receive() throws Exception {
    dataDir = Files.createTempDirectory("fanout-publish-tracing");
    receiving = Vertx.vertx();
    receiver = OtlpReceiver.start(receiving);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (app != null) {
        app.close();
      }
      receiver.close();
      RunningApp.await(receiving.close());
    } finally {
      RunningApp.deleteRecursively(dataDir);
    }
  }

  @Test
  void aTracedPublishCarriesItsTraceFromTheRequestToTheStreamThroughOneLinkedCommit() throws Exception {
    app = RunningApp.start(dataDir, receiver.tracing(), "--auth", "none",
        "--trace-url-template", "http://jaeger:16686/trace/{traceId}");
    assertThat(app.json(app.get("/api/info")).getString("traceUrlTemplate"))
        .isEqualTo("http://jaeger:16686/trace/{traceId}");
    String incoming = "00-" + TRACE_ID + "-" + PARENT_SPAN + "-01";
    String plain = publish(incoming, null);
    String keyed = publish("00-" + TRACE_ID + "-" + PARENT_SPAN + "-01", "key-1");

    for (String eventId : List.of(plain, keyed)) {
      JsonObject trace = app.json(app.get("/api/events/" + eventId));
      assertThat(trace.getString("traceId")).isEqualTo(TRACE_ID);
      assertThat(trace.getBoolean("sampled")).isTrue();
      String kept = keptTraceparent(eventId);
      assertThat(kept).as("the server span's context, a child of the incoming one").startsWith("00-" + TRACE_ID + "-")
          .endsWith("-01").doesNotContain(PARENT_SPAN);
      String serverSpan = kept.substring(36, 52);

      assertThat(readHeaders(eventId).get(Tracing.TRACEPARENT)).isEqualTo(kept);

      OtlpReceiver.Received server = Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> span(s -> s.spanId().equals(serverSpan)), Optional::isPresent).get();
      assertThat(server.kind()).isEqualTo("SERVER");
      assertThat(server.parentSpanId()).isEqualTo(PARENT_SPAN);
      OtlpReceiver.Received commit = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> span(s ->
          s.name().equals("outbox commit") && s.links().contains(new OtlpReceiver.Link(TRACE_ID, serverSpan))),
          Optional::isPresent).get();
      assertThat(commit.kind()).isEqualTo("INTERNAL");
      assertThat(commit.parentSpanId()).as("a root: the child of no one publish").isEmpty();
      assertThat(commit.traceId()).isNotEqualTo(TRACE_ID);
      assertThat(((Number) commit.attribute("fanout.publishes")).longValue()).isGreaterThanOrEqualTo(1L);
      assertThat(receiver.spans()).as("nothing is a child of the commit")
          .noneMatch(s -> s.parentSpanId().equals(commit.spanId()));
    }
  }

  @Test
  void anUnsampledPublishStillNamesItsTrace() throws Exception {
    app = RunningApp.start(dataDir, Tracing.from(Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL",
        "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(), "OTEL_TRACES_SAMPLER", "always_off"),
        Map.of()), "--auth", "none");
    String eventId = publish(null, null);

    JsonObject trace = app.json(app.get("/api/events/" + eventId));
    assertThat(trace.getString("traceId")).matches("[0-9a-f]{32}");
    assertThat(trace.getBoolean("sampled")).isFalse();
    String header = readHeaders(eventId).get(Tracing.TRACEPARENT);
    assertThat(header).isEqualTo(keptTraceparent(eventId)).startsWith("00-" + trace.getString("traceId") + "-");
    // the flags' low bit is "sampled"; others (the SDK's "random trace id", 02) may be set
    assertThat(Integer.parseInt(header.substring(53), 16) & 1).isZero();
  }

  private String publish(String traceparent, String idempotencyKey) throws Exception {
    List<String> headers = new java.util.ArrayList<>();
    if (traceparent != null) {
      headers.addAll(List.of("traceparent", traceparent));
    }
    if (idempotencyKey != null) {
      headers.addAll(List.of("Idempotency-Key", idempotencyKey));
    }
    HttpResponse<String> response = app.send("POST", "/api/blogs", "application/json",
        new JsonObject().put("authorId", "traced").put("title", "t " + UUID.randomUUID()).put("body", "b").encode(),
        headers.toArray(String[]::new));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return app.json(response).getString("eventId");
  }

  private String keptTraceparent(String eventId) throws Exception {
    return RunningApp.await(app.app().database().pool()
            .preparedQuery("SELECT traceparent FROM outbox WHERE event_id = $1::uuid").execute(Tuple.of(eventId)))
        .iterator().next().getString("traceparent");
  }

  // The headers of the event's record, read from the stream by a group of the test's own.
  private Map<String, String> readHeaders(String eventId) throws Exception {
    List<StreamRecord> records = new CopyOnWriteArrayList<>();
    GroupMember member = RunningApp.await(app.app().stream().subscribe(SubscribeOptions.of(FanoutApp.EVENTS_TOPIC,
        "test-reader-" + UUID.randomUUID()).withStartFrom(StartPosition.EARLIEST), batch -> {
          records.addAll(batch);
          return Future.succeededFuture();
        }));
    try {
      return Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> records.stream()
          .filter(r -> eventId.equals(String.valueOf(BlogEvent.idIn(r.headers())))).findFirst(), Optional::isPresent)
          .get().headers();
    } finally {
      RunningApp.await(member.leave());
    }
  }

  private Optional<OtlpReceiver.Received> span(java.util.function.Predicate<OtlpReceiver.Received> which) {
    return receiver.spans(which).stream().findFirst();
  }
}
