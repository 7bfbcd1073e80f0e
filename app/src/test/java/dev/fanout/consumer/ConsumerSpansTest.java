package dev.fanout.consumer;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.StreamRecord;
import dev.fanout.tracing.OtlpReceiver;
import dev.fanout.tracing.Tracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The spans a group makes of its events, exported over OTLP to a real receiver: the real in-memory stream, a
 * pipeline with a sink written for the test (an event titled "flaky" fails once, one titled "poison" always,
 * until the test forgives it), and records carrying the publish's {@code traceparent} as the relay writes them.
 */
class ConsumerSpansTest {

  private static Vertx vertx;
  private static EventStream stream;
  private static OtlpReceiver receiver;
  private static Tracing tracing;
  private static final AtomicInteger TOPICS = new AtomicInteger();

  @BeforeAll
  static void open() throws Exception {
    vertx = Vertx.vertx();
    stream = await(StreamBackends.open(vertx, "memory", new JsonObject()));
    receiver = OtlpReceiver.start(vertx);
    tracing = receiver.tracing();
  }

  @AfterAll
  static void close() throws Exception {
    tracing.close();
    await(stream.close());
    receiver.close();
    await(vertx.close());
  }

  /** Fails "flaky" once (transient) and "poison" until forgiven (permanent); notes the span current per call. */
  private static final class TestSink implements GroupSink {
    final Set<UUID> failedOnce = ConcurrentHashMap.newKeySet();
    final Map<UUID, String> currentSpan = new ConcurrentHashMap<>();
    volatile boolean forgiving;

    @Override
    public Future<Void> apply(List<BlogEvent> events) {
      for (BlogEvent event : events) {
        currentSpan.put(event.eventId(), Span.current().getSpanContext().getSpanId());
        if ("flaky".equals(event.title()) && failedOnce.add(event.eventId())) {
          return Future.failedFuture(new SinkUnavailable("down for a moment"));
        }
        if ("poison".equals(event.title()) && !forgiving) {
          return Future.failedFuture(new PermanentFailure("the sink refuses it"));
        }
      }
      return Future.succeededFuture();
    }
  }

  private record Publish(String traceId, String spanId) {
    String traceparent() {
      return "00-" + traceId + "-" + spanId + "-01";
    }

    static Publish random() {
      HexFormat hex = HexFormat.of();
      byte[] trace = new byte[16];
      byte[] span = new byte[8];
      ThreadLocalRandom.current().nextBytes(trace);
      ThreadLocalRandom.current().nextBytes(span);
      trace[0] |= 1;
      span[0] |= 1;
      return new Publish(hex.formatHex(trace), hex.formatHex(span));
    }
  }

  private static GroupPipeline pipeline(String topic, String group, GroupSink sink, boolean keyed) throws Exception {
    await(stream.admin().createTopic(topic, 1, 1));
    await(stream.admin().createTopic(DeadLetters.topic(topic, group), 1, 1));
    GroupMetrics metrics = new GroupMetrics(new SimpleMeterRegistry(), group, () -> "CLOSED");
    SinkGuard guard = new SinkGuard(vertx, group, new ResiliencePolicy(2, 1, 60_000), SinkInterceptor.NONE,
        metrics.retried::increment);
    GroupPipeline.Keyed keyedBy = keyed ? new GroupPipeline.Keyed(vertx,
        new KeyOrderedDispatcher(vertx.getOrCreateContext(), 4), () -> false, 1, 1000) : null;
    return new GroupPipeline(stream, topic, group, sink, guard, metrics, GroupTrail.NONE, keyedBy, tracing);
  }

  private static BlogEvent event(String title) {
    Instant now = Instant.now();
    return new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(), "author", 1, title,
        "body", List.of(), now, now);
  }

  /** A record as the relay writes it: the event's headers, and the publish's context when given. */
  private static StreamRecord record(String topic, long offset, BlogEvent event, Publish publish) {
    Map<String, String> headers = new HashMap<>(event.headers());
    if (publish != null) {
      headers.put(Tracing.TRACEPARENT, publish.traceparent());
    }
    return new StreamRecord(topic, 0, offset, System.currentTimeMillis(), "author", headers, event.encode());
  }

  private static OtlpReceiver.Received spanOf(String name, UUID eventId) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !receiver.spans(s -> name.equals(s.name())
        && eventId.toString().equals(s.attribute("messaging.message.id"))).isEmpty());
    List<OtlpReceiver.Received> found = receiver.spans(s -> name.equals(s.name())
        && eventId.toString().equals(s.attribute("messaging.message.id")));
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  @Test
  void eachEventIsAConsumerSpanInItsPublishsTrace() throws Exception {
    String topic = "spans-" + TOPICS.incrementAndGet();
    TestSink sink = new TestSink();
    GroupPipeline pipeline = pipeline(topic, "g", sink, false);
    BlogEvent flaky = event("flaky");
    BlogEvent poison = event("poison");
    BlogEvent plain = event("plain");
    Publish first = Publish.random();
    Publish second = Publish.random();

    await(pipeline.handle(List.of(record(topic, 0, flaky, first))));
    await(pipeline.handle(List.of(record(topic, 1, poison, second))));
    await(pipeline.handle(List.of(record(topic, 2, plain, null))));

    OtlpReceiver.Received handled = spanOf("g process", flaky.eventId());
    assertThat(handled.kind()).isEqualTo("CONSUMER");
    assertThat(handled.traceId()).isEqualTo(first.traceId());
    assertThat(handled.parentSpanId()).isEqualTo(first.spanId());
    assertThat(handled.status()).isEqualTo("UNSET");
    assertThat(handled.attributes()).containsEntry("messaging.system", "fanout-memory")
        .containsEntry("messaging.destination.name", topic)
        .containsEntry("messaging.consumer.group.name", "g")
        .containsEntry("messaging.destination.partition.id", "0")
        .containsEntry("messaging.kafka.offset", 0L)
        .containsEntry("messaging.kafka.message.key", "author")
        .containsEntry("messaging.operation.type", "process");
    assertThat(handled.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("attempt failed");
      assertThat(e.attributes()).containsEntry("fanout.attempt", 1L).containsEntry("error.type", "SinkUnavailable");
    });

    OtlpReceiver.Received dead = spanOf("g process", poison.eventId());
    assertThat(dead.traceId()).isEqualTo(second.traceId());
    assertThat(dead.parentSpanId()).isEqualTo(second.spanId());
    assertThat(dead.status()).isEqualTo("ERROR");
    assertThat(dead.statusMessage()).isEqualTo("dead-lettered");
    assertThat(dead.attributes()).containsEntry("error.type", "PermanentFailure");
    // the batch's permanent failure is not blamed on the event; its two tries alone are
    assertThat(dead.events()).extracting(e -> e.attributes().get("fanout.attempt")).containsExactly(1L, 2L);
    assertThat(dead.events()).allSatisfy(e -> assertThat(e.attributes()).containsEntry("error.type", "PermanentFailure"));

    OtlpReceiver.Received root = spanOf("g process", plain.eventId());
    assertThat(root.parentSpanId()).isEmpty();
    assertThat(root.traceId()).isNotIn(first.traceId(), second.traceId());
    assertThat(root.events()).isEmpty();

    // the dead letter keeps the publish's context: its replay is a new trace linked to it
    sink.forgiving = true;
    JsonObject replayed = await(new DeadLetterReplay(vertx, stream, pipeline, () -> { }).run());
    assertThat(replayed.getLong("replayed")).isEqualTo(1L);
    OtlpReceiver.Received replay = spanOf("g replay", poison.eventId());
    assertThat(replay.kind()).isEqualTo("CONSUMER");
    assertThat(replay.parentSpanId()).isEmpty();
    assertThat(replay.traceId()).isNotEqualTo(second.traceId());
    assertThat(replay.links()).containsExactly(new OtlpReceiver.Link(second.traceId(), second.spanId()));
    assertThat(replay.attributes()).containsEntry("fanout.replay", true)
        .containsEntry("messaging.destination.name", DeadLetters.topic(topic, "g"));
    assertThat(replay.status()).isEqualTo("UNSET");
  }

  @Test
  void aKeyedGroupCallsItsSinkWithTheEventsSpanCurrent() throws Exception {
    String topic = "spans-" + TOPICS.incrementAndGet();
    TestSink sink = new TestSink();
    GroupPipeline pipeline = pipeline(topic, "k", sink, true);
    BlogEvent flaky = event("flaky");
    BlogEvent poison = event("poison");
    Publish first = Publish.random();
    Publish second = Publish.random();

    await(pipeline.handle(List.of(record(topic, 0, flaky, first), record(topic, 1, poison, second))));

    OtlpReceiver.Received handled = spanOf("k process", flaky.eventId());
    assertThat(handled.kind()).isEqualTo("CONSUMER");
    assertThat(handled.traceId()).isEqualTo(first.traceId());
    assertThat(handled.parentSpanId()).isEqualTo(first.spanId());
    assertThat(handled.status()).isEqualTo("UNSET");
    assertThat(handled.events()).extracting(OtlpReceiver.Event::name).containsExactly("attempt failed");
    // a sink's own spans (a webhook's HTTP call) become the event's children
    assertThat(sink.currentSpan).containsEntry(flaky.eventId(), handled.spanId());

    OtlpReceiver.Received dead = spanOf("k process", poison.eventId());
    assertThat(dead.traceId()).isEqualTo(second.traceId());
    assertThat(dead.status()).isEqualTo("ERROR");
    assertThat(dead.attributes()).containsEntry("messaging.kafka.offset", 1L);
  }

  @Test
  void withTracingOffNoSpanIsCurrentInTheSink() throws Exception {
    String topic = "spans-" + TOPICS.incrementAndGet();
    await(stream.admin().createTopic(topic, 1, 1));
    await(stream.admin().createTopic(DeadLetters.topic(topic, "off"), 1, 1));
    TestSink sink = new TestSink();
    GroupMetrics metrics = new GroupMetrics(new SimpleMeterRegistry(), "off", () -> "CLOSED");
    GroupPipeline pipeline = new GroupPipeline(stream, topic, "off", sink,
        new SinkGuard(vertx, "off", new ResiliencePolicy(2, 1, 60_000), SinkInterceptor.NONE, () -> { }), metrics,
        GroupTrail.NONE, new GroupPipeline.Keyed(vertx, new KeyOrderedDispatcher(vertx.getOrCreateContext(), 4),
        () -> false, 1, 1000));
    BlogEvent plain = event("plain");
    await(pipeline.handle(List.of(record(topic, 0, plain, Publish.random()))));
    assertThat(sink.currentSpan).containsEntry(plain.eventId(), "0000000000000000");
  }
}
