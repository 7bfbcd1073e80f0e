package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.KeyPartitioner;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The producer's contract: {@code send} reports where each record landed, keys follow
 * {@link KeyPartitioner}, the offsets of a partition are consecutive, headers and timestamps arrive as
 * sent, and each key keeps its send order whichever threads and contexts send it. A header without a name
 * or a value fails its send.
 */
public abstract class ProducerTestBase extends StreamTestBase {

  protected ProducerTestBase(BackendUnderTest backend) {
    super(backend);
  }

  @Test
  void sendReportsWhereEachRecordLandsKeysFollowThePartitionerAndOffsetsAreConsecutive() {
    int n = partitions();
    String topic = createTopic("send");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("trace-id", "t-1");
    headers.put("origin", "tck");
    long before = System.currentTimeMillis();
    Map<String, Future<RecordPosition>> sends = new LinkedHashMap<>();
    for (int seq = 0; seq < 10; seq++) {
      for (int k = 0; k < 20; k++) {
        String key = "user-" + k;
        sends.put(key + ":" + seq, stream.send(topic, key, headers, TestRecords.value(key, seq)));
      }
    }
    for (int seq = 0; seq < 60; seq++) {
      sends.put("null:" + seq, stream.send(topic, null, headers, TestRecords.value(null, seq)));
    }
    Map<String, RecordPosition> positions = new LinkedHashMap<>();
    sends.forEach((id, future) -> positions.put(id, join(future)));
    long after = System.currentTimeMillis();

    for (int k = 0; k < 20; k++) {
      String key = "user-" + k;
      long previous = -1;
      for (int seq = 0; seq < 10; seq++) {
        RecordPosition position = positions.get(key + ":" + seq);
        assertThat(position.partition()).as("partition of %s:%d", key, seq)
            .isEqualTo(KeyPartitioner.partition(key, n));
        assertThat(position.offset()).as("offset of %s:%d, sent after %s:%d by one caller", key, seq, key,
            seq - 1).isGreaterThan(previous);
        previous = position.offset();
      }
    }
    Map<Integer, List<Long>> offsets = offsetsByPartition(positions.values());
    assertThat(offsets.keySet()).as("partitions records landed on").allMatch(p -> p >= 0 && p < n);
    offsets.forEach((partition, list) -> assertThat(list).as("offsets of partition %d", partition)
        .isEqualTo(LongStream.range(0, list.size()).boxed().toList()));
    Set<Integer> unkeyed = positions.entrySet().stream().filter(e -> e.getKey().startsWith("null:"))
        .map(e -> e.getValue().partition()).collect(Collectors.toSet());
    assertThat(unkeyed).as("partitions of 60 records without a key").hasSizeGreaterThan(1);

    TopicDescription description = topicDescription(topic);
    assertThat(description.partitions()).as("partitions of %s", topic).hasSize(n);
    for (TopicDescription.PartitionRange range : description.partitions()) {
      assertThat(range.startOffset()).as("start offset of partition %d", range.partition()).isZero();
      assertThat(range.endOffset()).as("end offset of partition %d", range.partition())
          .isEqualTo(offsets.getOrDefault(range.partition(), List.of()).size());
    }

    String group = name("send-group");
    DeliveryLog log = newLog(group, topic, SubscribeOptions.DEFAULT_MAX_BATCH_SIZE);
    subscribe(SubscribeOptions.of(topic, group), log, "m1", OK);
    eventually().untilAsserted(() -> assertThat(log.count()).as("records handled").isEqualTo(positions.size()));
    for (StreamRecord record : log.records()) {
      String id = TestRecords.idOf(record);
      assertThat(record.position()).as("position of %s as consumed", id).isEqualTo(positions.get(id));
      assertThat(record.key()).as("key of %s", id)
          .isEqualTo(id.startsWith("null:") ? null : TestRecords.keyOf(record));
      assertThat(record.headers()).as("headers of %s", id).isEqualTo(headers);
      assertThat(List.copyOf(record.headers().keySet())).as("header order of %s", id)
          .containsExactly("trace-id", "origin");
      assertThat(record.timestamp()).as("timestamp of %s", id).isBetween(before, after);
    }
  }

  @Test
  void eachKeyKeepsItsSendOrderUnderConcurrentProducers() throws Exception {
    String topic = createTopic("order");
    String group = name("order-group");
    DeliveryLog log = newLog(group, topic, 50);
    subscribe(SubscribeOptions.of(topic, group).withMaxBatchSize(50), log, "m1", OK);
    subscribe(SubscribeOptions.of(topic, group).withMaxBatchSize(50), log, "m2", OK);

    int perKey = 300;
    Map<String, RecordPosition> positions = new ConcurrentHashMap<>();
    Map<String, Integer> sentPerKey = new HashMap<>();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Future<?>>> threadProducers = new ArrayList<>();
      List<Future<String>> contextProducers = new ArrayList<>();
      List<VerticleBase> producerVerticles = new ArrayList<>();
      for (int producer = 0; producer < 5; producer++) {
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
          keys.add("producer-" + producer + "-key-" + k);
          sentPerKey.put("producer-" + producer + "-key-" + k, perKey);
        }
        if (producer < 2) {
          threadProducers.add(CompletableFuture.supplyAsync(() -> {
            awaitLatch(go);
            return sendInterleaved(topic, keys, perKey, positions);
          }, threads));
        } else {
          producerVerticles.add(new VerticleBase() {
            @Override
            public Future<?> start() {
              return sendInterleaved(topic, keys, perKey, positions);
            }
          });
        }
      }
      // the threads start as the verticles are deployed, each verticle on a context of its own
      go.countDown();
      producerVerticles.forEach(verticle -> contextProducers.add(vertx.deployVerticle(verticle)));
      for (CompletableFuture<Future<?>> producer : threadProducers) {
        join(producer.get(timeout().toMillis(), TimeUnit.MILLISECONDS));
      }
      contextProducers.forEach(this::join);
    } finally {
      threads.shutdownNow();
    }

    sentPerKey.forEach((key, count) -> {
      for (int seq = 1; seq < count; seq++) {
        assertThat(positions.get(key + ":" + seq).offset()).as("offset of %s:%d", key, seq)
            .isGreaterThan(positions.get(key + ":" + (seq - 1)).offset());
      }
    });
    eventually().untilAsserted(() -> assertThat(log.handledPrefixPerKey()).isEqualTo(sentPerKey));
    assertThat(log.orderViolations()).as("order of handling").isEmpty();
  }

  @Test
  void aHeaderWithoutANameOrAValueFailsItsSendAndWritesNothing() {
    String topic = createTopic("bad-header");
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("trace-id", null);
    Map<String, String> nullName = new HashMap<>();
    nullName.put(null, "t-1");
    for (Map<String, String> headers : List.of(nullValue, nullName)) {
      Future<RecordPosition> send;
      try {
        send = stream.send(topic, "k", headers, TestRecords.value("k", 0));
      } catch (RuntimeException e) {
        throw new AssertionError("send(.., " + headers + ", ..) threw instead of failing its future: " + e, e);
      }
      assertThat(failure(send)).as("failure of a send with headers %s", headers)
          .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("header");
    }
    assertThat(topicDescription(topic).partitions()).as("partitions after the refused sends")
        .allMatch(range -> range.endOffset() == 0);
  }

  private static Map<Integer, List<Long>> offsetsByPartition(Iterable<RecordPosition> positions) {
    Map<Integer, List<Long>> offsets = new TreeMap<>();
    positions.forEach(pos -> offsets.computeIfAbsent(pos.partition(), p -> new ArrayList<>()).add(pos.offset()));
    offsets.values().forEach(list -> list.sort(null));
    return offsets;
  }

  /** Sends {@code perKey} records per key, keys interleaved, from the calling thread or context. */
  private Future<?> sendInterleaved(String topic, List<String> keys, int perKey,
                                    Map<String, RecordPosition> positions) {
    List<Future<RecordPosition>> sends = new ArrayList<>();
    for (int seq = 0; seq < perKey; seq++) {
      for (String key : keys) {
        String id = key + ":" + seq;
        sends.add(stream.send(topic, key, Map.of(), TestRecords.value(key, seq))
            .onSuccess(position -> positions.put(id, position)));
      }
    }
    return Future.all(sends);
  }

  private void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("start signal not given");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
