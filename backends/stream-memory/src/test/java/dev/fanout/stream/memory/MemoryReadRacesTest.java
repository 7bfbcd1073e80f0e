package dev.fanout.stream.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.KeyPartitioner;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Races between a member reading its partitions and a producer appending to them, made deterministic with
 * {@link PartitionLog#beforeRead}: the hook appends at the exact moment the race is about. Partitions keep
 * {@value #RETENTION} records.
 */
class MemoryReadRacesTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final int RETENTION = 4;

  private Vertx vertx;
  private MemoryStream stream;
  // exceptions that escaped to Vert.x from a task on a context
  private final List<Throwable> escaped = new CopyOnWriteArrayList<>();
  // every record handled by a member of the test, in handling order
  private final List<StreamRecord> handled = new CopyOnWriteArrayList<>();
  private final BatchHandler handler = batch -> {
    handled.addAll(batch);
    return Future.succeededFuture();
  };

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    vertx.exceptionHandler(escaped::add);
    stream = (MemoryStream) StreamBackends.open(vertx, "memory", new JsonObject().put("retention.records", RETENTION))
        .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    stream.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aRecordAppendedWhileANewOwnerReadsItsPartitionsWakesIt() throws Exception {
    stream.admin().createTopic("t", 2, 1).await(10, TimeUnit.SECONDS);
    GroupMember first = stream.subscribe(SubscribeOptions.of("t", "g"), handler).await(10, TimeUnit.SECONDS);
    GroupMember second = stream.subscribe(SubscribeOptions.of("t", "g"), handler).await(10, TimeUnit.SECONDS);
    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(first.assignment()).hasSize(1);
      assertThat(second.assignment()).hasSize(1);
    });
    // the survivor owns partition 1 and takes partition 0 over: one drain reads 0 (empty), then 1
    GroupMember survivor = second.assignment().contains(1) ? second : first;
    GroupMember victim = survivor == first ? second : first;
    AtomicBoolean armed = new AtomicBoolean(true);
    stream.topic("t").log(1).beforeRead(() -> {
      if (armed.getAndSet(false)) {
        // between the survivor's read of partition 0 and the end of its drain
        stream.topic("t").append(keyOn(0, 2), Map.of(), new byte[] {1});
      }
    });
    victim.crash().await(10, TimeUnit.SECONDS);

    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(armed).as("the append between two reads happened").isFalse();
      assertThat(handled).as("records of partition 0 handled after it changed hands, with nothing appended later")
          .anyMatch(record -> record.partition() == 0);
    });
  }

  @Test
  void aRecordAppendedAfterAMemberReadItsPartitionAndBeforeItSleepsWakesIt() throws Exception {
    stream.admin().createTopic("s", 2, 1).await(10, TimeUnit.SECONDS);
    MemoryTopic topic = stream.topic("s");
    GroupMember member = stream.subscribe(SubscribeOptions.of("s", "g"), handler).await(10, TimeUnit.SECONDS);
    appendTo(topic, 0, 1);
    await().atMost(BOUND).untilAsserted(() -> assertThat(handled).hasSize(1));
    member.pause().await(10, TimeUnit.SECONDS);
    AtomicBoolean armed = new AtomicBoolean(true);
    topic.log(1).beforeRead(() -> {
      if (armed.getAndSet(false)) {
        // on the member's context, in a drain that finds nothing: partition 0 was read (empty), partition 1 is
        // empty too. The member is awake, so this append queues nothing; only the member's second look, after it
        // cleared its flag, can find the record.
        appendTo(topic, 0, 1);
      }
    });
    member.resume().await(10, TimeUnit.SECONDS);

    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(armed).as("the append between the read of partition 0 and the end of the drain happened").isFalse();
      assertThat(handled).as("the record appended while the member was going to sleep, nothing appended later")
          .hasSize(2);
    });
  }

  @Test
  void burstsFromAnotherThreadRacingAMemberThatGoesToSleepAreAllHandled() throws Exception {
    stream.admin().createTopic("b", 2, 1).await(10, TimeUnit.SECONDS);
    MemoryTopic topic = stream.topic("b");
    // retention of 4: a burst stays within it, so every record is handled and the count is exact
    stream.subscribe(SubscribeOptions.of("b", "g").withMaxBatchSize(1), handler).await(10, TimeUnit.SECONDS);
    java.util.Random random = new java.util.Random(42);
    int sent = 0;
    for (int round = 0; round < 3000; round++) {
      int burst = 1 + random.nextInt(RETENTION);
      for (int i = 0; i < burst; i++) {
        topic.append(random.nextBoolean() ? keyOn(0, 2) : keyOn(1, 2), Map.of(), new byte[] {(byte) i});
      }
      sent += burst;
      int expected = sent;
      // the last record of each burst is the one a lost wake-up would strand: nothing is appended after it
      await().atMost(BOUND).pollInterval(Duration.ofMillis(1)).untilAsserted(() ->
          assertThat(handled).as("records handled after round %d", expected).hasSize(expected));
    }
    assertThat(escaped).isEmpty();
  }

  @Test
  void recordsMovingOnWhileAMemberFallsBackFromAnOffsetOutOfRetentionNeitherThrowNorCountTwice() throws Exception {
    stream.admin().createTopic("r", 2, 1).await(10, TimeUnit.SECONDS);
    MemoryTopic topic = stream.topic("r");
    GroupMember member = stream.subscribe(SubscribeOptions.of("r", "g"), handler).await(10, TimeUnit.SECONDS);
    appendTo(topic, 0, 2);
    await().atMost(BOUND).untilAsserted(() -> assertThat(handled).hasSize(2));
    member.pause().await(10, TimeUnit.SECONDS);
    // the committed offset 2 leaves retention: partition 0 keeps 4..7
    appendTo(topic, 0, 6);
    appendTo(topic, 1, 1);
    AtomicInteger reads = new AtomicInteger();
    topic.log(0).beforeRead(() -> {
      if (reads.incrementAndGet() == 2) {
        // the second read of partition 0 is the one after the fall back: the log moves on to 8..11 first
        appendTo(topic, 0, RETENTION);
      }
    });
    member.resume().await(10, TimeUnit.SECONDS);

    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(handled).as("records of partition 1").anyMatch(record -> record.partition() == 1);
      assertThat(handled).as("records of partition 0 retained at the end")
          .filteredOn(record -> record.partition() == 0).extracting(StreamRecord::offset)
          .contains(8L, 9L, 10L, 11L);
    });
    assertThat(escaped).as("exceptions that escaped a member's drain").isEmpty();
    assertThat(stream.admin().describeGroup("g").await(10, TimeUnit.SECONDS).offsetResets())
        .as("falls back counted").isEqualTo(1);
  }

  private static void appendTo(MemoryTopic topic, int partition, int records) {
    for (int i = 0; i < records; i++) {
      topic.append(keyOn(partition, topic.partitions()), Map.of(), new byte[] {(byte) i});
    }
  }

  private static String keyOn(int partition, int partitions) {
    for (int i = 0; ; i++) {
      if (KeyPartitioner.partition("k-" + i, partitions) == partition) {
        return "k-" + i;
      }
    }
  }
}
