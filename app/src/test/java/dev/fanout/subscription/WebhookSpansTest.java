package dev.fanout.subscription;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.consumer.GroupSpec;
import dev.fanout.consumer.GroupTrail;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.consumer.ResiliencePolicy;
import dev.fanout.consumer.SinkInterceptor;
import dev.fanout.db.TestDatabase;
import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.tracing.OtlpReceiver;
import dev.fanout.tracing.Tracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A webhook delivery's client span and the {@code traceparent} it sends, against a real receiver and a real
 * OTLP collector: through a subscription's whole consuming path (in-memory stream, keyed group, the sink with
 * its delivery marks in PostgreSQL, the client), and through the client alone.
 */
class WebhookSpansTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  private static Vertx vertx;
  private static HttpServer endpoint;
  private static OtlpReceiver collector;
  private static Tracing tracing;
  // what the endpoint was sent, by webhook id: its traceparent, or "none"
  private static final Map<String, String> traceparents = new ConcurrentHashMap<>();

  private final WebhookSecret secret = WebhookSecret.generate();

  @BeforeAll
  static void start() throws Exception {
    vertx = db.vertx();
    // /status/<code> answers that code, anything else 200
    endpoint = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      String traceparent = request.getHeader(Tracing.TRACEPARENT);
      traceparents.put(request.getHeader("webhook-id"), traceparent == null ? "none" : traceparent);
      String path = request.path();
      request.response().setStatusCode(path.startsWith("/status/")
          ? Integer.parseInt(path.substring("/status/".length())) : 200).end();
    })).listen(0, "127.0.0.1"));
    collector = OtlpReceiver.start(vertx);
    tracing = collector.tracing();
  }

  @AfterAll
  static void stop() throws Exception {
    tracing.close();
    collector.close();
    await(endpoint.close());
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + endpoint.actualPort() + path;
  }

  private static WebhookPayload payload() {
    Instant now = Instant.now();
    return WebhookPayload.snapshot(UUID.randomUUID(), "alice", 1, "Title", "Body", List.of(), now, now);
  }

  private static OtlpReceiver.Received exported(String name, java.util.function.Predicate<OtlpReceiver.Received> which) {
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> !collector.spans(s -> s.name().equals(name) && which.test(s)).isEmpty());
    return collector.spans(s -> s.name().equals(name) && which.test(s)).get(0);
  }

  @Test
  void aSubscriptionsDeliveryContinuesThePublishsTrace() throws Exception {
    EventStream stream = await(StreamBackends.open(vertx, "memory", new JsonObject()));
    WebhookClient client = new WebhookClient(vertx, "test", true, tracing);
    try {
      String topic = "webhook-spans";
      String group = Subscription.groupOf("traced");
      await(stream.admin().createTopic(topic, 2, 1));
      Subscription subscription = new Subscription("traced", UUID.randomUUID(), url("/hook"),
          Subscription.StartFrom.EARLIEST, null, 4, 5_000, secret.text(), null, null, false, Instant.EPOCH,
          Instant.now(), null, false, null, null);
      WebhookSink sink = new WebhookSink(client, new DeliveryMarks(db.database().pool(), group), () -> subscription);
      LocalGroup local = new LocalGroup(vertx, stream, topic,
          new GroupSpec(group, sink, new ResiliencePolicy(2, 10, 60_000), GroupSpec.Dispatch.keyOrdered(4)),
          SinkInterceptor.NONE, new SimpleMeterRegistry(), GroupTrail.NONE, tracing);
      await(local.addMember());

      // as the relay writes it: the publish's context in the record's headers
      Span publish = tracing.tracer().spanBuilder("publish").startSpan();
      publish.end();
      Instant now = Instant.now();
      BlogEvent event = new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(), "alice", 1,
          "Title", "Body", List.of(), now, now);
      Map<String, String> headers = new HashMap<>(event.headers());
      headers.put(Tracing.TRACEPARENT, Tracing.traceparent(publish.getSpanContext()));
      await(stream.send(topic, event.authorId(), headers, event.encode()));

      String traceId = publish.getSpanContext().getTraceId();
      OtlpReceiver.Received consumer = exported(group + " process", s -> s.traceId().equals(traceId));
      OtlpReceiver.Received http = exported("POST", s -> s.traceId().equals(traceId));
      assertThat(consumer.parentSpanId()).isEqualTo(publish.getSpanContext().getSpanId());
      assertThat(http.kind()).isEqualTo("CLIENT");
      assertThat(http.parentSpanId()).isEqualTo(consumer.spanId());
      assertThat(http.attributes()).containsEntry("http.response.status_code", 200L);
      // the receiver continues the client span's context
      assertThat(traceparents.get(event.eventId().toString()))
          .startsWith("00-" + traceId + "-" + http.spanId() + "-");
      await(local.stop());
    } finally {
      await(client.close());
      await(stream.close());
    }
  }

  @Test
  void eachAttemptIsAClientSpanWithItsStatus() throws Exception {
    WebhookClient client = new WebhookClient(vertx, "test", true, tracing);
    try {
      Span event = tracing.tracer().spanBuilder("event").startSpan();
      WebhookPayload delivered = payload();
      WebhookPayload refused = payload();
      URL withCredentials = DestinationPolicy.parse("http://user:pass@127.0.0.1:" + endpoint.actualPort()
          + "/hook?token=secret");
      await(client.deliver(withCredentials, delivered, List.of(secret), 5_000, Context.root().with(event)));
      Throwable failure = client.deliver(DestinationPolicy.parse(url("/status/503")), refused, List.of(secret), 5_000,
          Context.root().with(event)).toCompletionStage().toCompletableFuture().handle((r, e) -> e).get();
      event.end();
      assertThat(failure).isInstanceOf(WebhookUnavailable.class);

      String traceId = event.getSpanContext().getTraceId();
      OtlpReceiver.Received ok = exported("POST", s -> s.traceId().equals(traceId)
          && "200".equals(String.valueOf(s.attribute("http.response.status_code"))));
      assertThat(ok.parentSpanId()).isEqualTo(event.getSpanContext().getSpanId());
      assertThat(ok.status()).isEqualTo("UNSET");
      assertThat(ok.attributes()).containsEntry("http.request.method", "POST")
          .containsEntry("url.full", url("/hook"))
          .containsEntry("server.address", "127.0.0.1")
          .containsEntry("server.port", (long) endpoint.actualPort());
      assertThat(traceparents.get(delivered.id())).startsWith("00-" + traceId + "-" + ok.spanId() + "-");

      OtlpReceiver.Received down = exported("POST", s -> s.traceId().equals(traceId)
          && "503".equals(String.valueOf(s.attribute("http.response.status_code"))));
      assertThat(down.status()).isEqualTo("ERROR");
      assertThat(down.attributes()).containsEntry("error.type", "503");
      assertThat(traceparents.get(refused.id())).contains(down.spanId());
    } finally {
      await(client.close());
    }
  }

  @Test
  void withTracingOffNoTraceparentIsSent() throws Exception {
    WebhookClient client = new WebhookClient(vertx, "test", true, Tracing.off());
    try {
      // even with a span current: tracing off sends nothing of it
      Span event = tracing.tracer().spanBuilder("event").startSpan();
      WebhookPayload payload = payload();
      await(client.deliver(DestinationPolicy.parse(url("/hook")), payload, List.of(secret), 5_000,
          Context.root().with(event)));
      event.end();
      assertThat(traceparents.get(payload.id())).isEqualTo("none");
    } finally {
      await(client.close());
    }
  }
}
