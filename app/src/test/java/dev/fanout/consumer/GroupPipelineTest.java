package dev.fanout.consumer;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One group's pipeline with a sink written for the test and the real in-memory stream: what reaches the
 * sink, what is dead-lettered, and when a batch fails back to the stream. Each test has a topic of its own.
 */
class GroupPipelineTest {

  private static Vertx vertx;
  private static EventStream stream;
  private static final AtomicInteger TOPICS = new AtomicInteger();

  @BeforeAll
  static void open() throws Exception {
    vertx = Vertx.vertx();
    stream = await(StreamBackends.open(vertx, "memory", new JsonObject()));
  }

  @AfterAll
  static void close() throws Exception {
    await(stream.close());
    await(vertx.close());
  }

  /** A sink that applies what it is given, refuses events whose title is "poison" and fails while down. */
  private static final class RecordingSink implements GroupSink {
    final List<UUID> applied = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean down;

    @Override
    public Future<Void> apply(List<BlogEvent> events) {
      calls.incrementAndGet();
      if (down) {
        return Future.failedFuture(new SinkUnavailable("down"));
      }
      for (BlogEvent event : events) {
        if ("poison".equals(event.title())) {
          return Future.failedFuture(new PermanentFailure("the sink refuses " + event.eventId()));
        }
      }
      events.forEach(e -> applied.add(e.eventId()));
      return Future.succeededFuture();
    }
  }

  private record Setup(String topic, GroupPipeline pipeline, GroupMetrics metrics) {
  }

  /** A trail that remembers what it was told, one line per call. */
  private static final class RecordingTrail implements GroupTrail {
    final List<String> told = new CopyOnWriteArrayList<>();

    @Override
    public void failed(String group, List<UUID> eventIds, Throwable error) {
      told.add("failed " + eventIds + " " + error.getMessage());
    }

    @Override
    public Future<Void> deadLettered(String group, UUID eventId, int attempts, Throwable error) {
      told.add("dead " + eventId + " " + attempts);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> replayed(String group, List<UUID> eventIds) {
      told.add("replayed " + eventIds);
      return Future.succeededFuture();
    }
  }

  private static Setup pipeline(GroupSink sink) throws Exception {
    return pipeline(sink, GroupTrail.NONE);
  }

  private static Setup pipeline(GroupSink sink, GroupTrail trail) throws Exception {
    return pipeline(sink, trail, null);
  }

  /** A pipeline on a topic of its own (with its dead-letter topic); keyed when {@code keyed} is given. */
  private static Setup pipeline(GroupSink sink, GroupTrail trail, GroupPipeline.Keyed keyed) throws Exception {
    String topic = "pipeline-" + TOPICS.incrementAndGet();
    await(stream.admin().createTopic(topic, 1, 1));
    await(stream.admin().createTopic(DeadLetters.topic(topic, "g"), 1, 1));
    GroupMetrics metrics = new GroupMetrics(new SimpleMeterRegistry(), "g", () -> "CLOSED");
    SinkGuard guard = new SinkGuard(vertx, "g", new ResiliencePolicy(2, 1, 60_000), SinkInterceptor.NONE,
        metrics.retried::increment);
    return new Setup(topic, new GroupPipeline(stream, topic, "g", sink, guard, metrics, trail, keyed), metrics);
  }

  private static BlogEvent event(String title) {
    Instant now = Instant.now();
    return new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(), "author", 1, title, "body",
        List.of(), now, now);
  }

  private static StreamRecord record(String topic, long offset, byte[] value) {
    return new StreamRecord(topic, 0, offset, System.currentTimeMillis(), "author", Map.of(), value);
  }

  private static List<StreamRecord> batch(String topic, List<byte[]> values) {
    List<StreamRecord> batch = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      batch.add(record(topic, i, values.get(i)));
    }
    return batch;
  }

  private static List<StreamRecord> deadLetters(String topic, int expected) throws Exception {
    List<StreamRecord> letters = new CopyOnWriteArrayList<>();
    GroupMember reader = await(stream.subscribe(SubscribeOptions.of(DeadLetters.topic(topic, "g"), "reader-" + topic),
        batch -> {
          letters.addAll(batch);
          return Future.succeededFuture();
        }));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> letters.size() >= expected);
      return letters;
    } finally {
      await(reader.leave());
    }
  }

  @Test
  void goodEventsReachTheSinkTogetherInOrder() throws Exception {
    RecordingSink sink = new RecordingSink();
    Setup setup = pipeline(sink);
    List<BlogEvent> events = List.of(event("a"), event("b"), event("c"));
    await(setup.pipeline().handle(batch(setup.topic(), events.stream().map(BlogEvent::encode).toList())));
    assertThat(sink.applied).containsExactlyElementsOf(events.stream().map(BlogEvent::eventId).toList());
    assertThat(sink.calls).as("one call for the batch").hasValue(1);
    assertThat(setup.metrics().processed.count()).isEqualTo(3);
  }

  @Test
  void anUndecodableRecordIsDeadLetteredAtOnceAndTheRestApplied() throws Exception {
    RecordingSink sink = new RecordingSink();
    Setup setup = pipeline(sink);
    BlogEvent good = event("good");
    byte[] garbage = "not an event".getBytes(StandardCharsets.UTF_8);
    await(setup.pipeline().handle(batch(setup.topic(), List.of(garbage, good.encode()))));
    assertThat(sink.applied).containsExactly(good.eventId());
    StreamRecord letter = deadLetters(setup.topic(), 1).get(0);
    assertThat(letter.value()).isEqualTo(garbage);
    assertThat(letter.headers()).containsEntry(DeadLetters.ORIGINAL_TOPIC, setup.topic())
        .containsEntry(DeadLetters.ORIGINAL_OFFSET, "0").containsEntry(DeadLetters.ATTEMPTS, "1")
        .containsEntry(DeadLetters.GROUP, "g");
  }

  @Test
  void aPermanentFailureIsIsolatedToItsEventWhichAloneIsDeadLettered() throws Exception {
    RecordingSink sink = new RecordingSink();
    Setup setup = pipeline(sink);
    BlogEvent before = event("before");
    BlogEvent poison = event("poison");
    BlogEvent after = event("after");
    await(setup.pipeline().handle(batch(setup.topic(), List.of(before.encode(), poison.encode(), after.encode()))));
    assertThat(sink.applied).as("the others, one by one, in order").containsExactly(before.eventId(), after.eventId());
    StreamRecord letter = deadLetters(setup.topic(), 1).get(0);
    assertThat(BlogEvent.decode(letter.value())).isEqualTo(poison);
    assertThat(letter.headers()).containsEntry(DeadLetters.ATTEMPTS, "2").containsKey(DeadLetters.ERROR);
    assertThat(setup.metrics().deadLettered.count()).isEqualTo(1);
  }

  @Test
  void aTransientFailureThatOutlastsTheRetriesFailsTheBatchAndDeadLettersNothing() throws Exception {
    RecordingSink sink = new RecordingSink();
    sink.down = true;
    Setup setup = pipeline(sink);
    Future<Void> handled = setup.pipeline().handle(batch(setup.topic(), List.of(event("x").encode())));
    try {
      await(handled);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SinkUnavailable.class);
    }
    assertThat(handled.failed()).as("given back to the stream for redelivery").isTrue();
    assertThat(sink.calls).as("the first try and one retry").hasValue(2);
    assertThat(setup.metrics().retried.count()).isEqualTo(1);
    assertThat(setup.metrics().deadLettered.count()).isZero();
    assertThat(endOffset(DeadLetters.topic(setup.topic(), "g"))).isZero();
  }

  private static long endOffset(String topic) throws Exception {
    return await(stream.admin().listTopics()).stream().filter(t -> t.name().equals(topic))
        .flatMap(t -> t.partitions().stream()).mapToLong(p -> p.endOffset()).sum();
  }

  @Test
  void theGroupAndItsDeadLetterTopicAreNamedAfterTheGroupAndItsTopic() throws Exception {
    Setup setup = pipeline(new RecordingSink());
    assertThat(setup.pipeline().group()).isEqualTo("g");
    assertThat(setup.pipeline().topic()).isEqualTo(setup.topic());
    assertThat(setup.pipeline().deadLetterTopic()).isEqualTo(setup.topic() + ".dlq.g");
  }

  @Test
  void theTrailHearsEachFailedAttemptAndTheDeadLetteringButNotABatchsPermanentFailure() throws Exception {
    RecordingSink sink = new RecordingSink();
    RecordingTrail trail = new RecordingTrail();
    Setup setup = pipeline(sink, trail);
    BlogEvent good = event("good");
    BlogEvent poison = event("poison");
    await(setup.pipeline().handle(batch(setup.topic(), List.of(good.encode(), poison.encode()))));
    // the batch failed permanently: not told (the events are isolated); each try of the poison alone is
    assertThat(trail.told).containsExactly(
        "failed [" + poison.eventId() + "] the sink refuses " + poison.eventId(),
        "failed [" + poison.eventId() + "] the sink refuses " + poison.eventId(),
        "dead " + poison.eventId() + " 2");

    trail.told.clear();
    sink.down = true;
    BlogEvent waiting = event("waiting");
    assertThat(failure(setup.pipeline().handle(batch(setup.topic(), List.of(waiting.encode())))))
        .isInstanceOf(SinkUnavailable.class);
    assertThat(trail.told).as("both attempts of the batch, while the circuit was closed")
        .containsExactly("failed [" + waiting.eventId() + "] down", "failed [" + waiting.eventId() + "] down");
  }

  private static Throwable failure(Future<?> future) throws Exception {
    return dev.fanout.app.RunningApp.failure(future);
  }

  /** A keyed sink whose read ahead ({@link GroupSink#prepare}) for a batch holding "slow" waits for the test. */
  private static final class SlowPrepareSink implements GroupSink {
    final List<String> applied = new CopyOnWriteArrayList<>();
    final io.vertx.core.Promise<Void> slowRead = io.vertx.core.Promise.promise();

    @Override
    public Future<Void> prepare(List<BlogEvent> events) {
      return events.stream().anyMatch(e -> e.title().equals("slow")) ? slowRead.future() : Future.succeededFuture();
    }

    @Override
    public Future<Void> apply(List<BlogEvent> events) {
      events.forEach(e -> applied.add(e.title()));
      return Future.succeededFuture();
    }
  }

  @Test
  void aKeyedBatchWhoseReadAheadEndsFirstDoesNotPassTheBatchBeforeIt() throws Exception {
    SlowPrepareSink sink = new SlowPrepareSink();
    Setup setup = pipeline(sink, GroupTrail.NONE, new GroupPipeline.Keyed(vertx,
        new KeyOrderedDispatcher(vertx.getOrCreateContext(), 4), () -> false, 1, 1000));
    String topic = setup.topic();
    GroupPipeline pipeline = setup.pipeline();
    // one author: the first batch's read ahead is slow, the second's is done at once
    Future<Void> first = pipeline.handle(List.of(record(topic, 0, event("slow").encode())));
    Future<Void> second = pipeline.handle(List.of(record(topic, 1, event("quick").encode())));
    org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(300)).atMost(java.time.Duration.ofSeconds(5))
        .until(() -> sink.applied.isEmpty());
    sink.slowRead.complete();
    await(Future.all(first, second));
    assertThat(sink.applied).containsExactly("slow", "quick");
  }
}
