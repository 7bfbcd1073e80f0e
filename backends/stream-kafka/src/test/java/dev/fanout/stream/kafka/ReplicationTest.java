package dev.fanout.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

/**
 * Three brokers, replication factor 3, min.insync.replicas 2, acks=all: a broker stopped while records
 * are produced and consumed loses no acknowledged record, and consumption goes on; it comes back later.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicationTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @RegisterExtension
  static final KafkaStreamFixture kafka = new KafkaStreamFixture(EmbeddedKafkaCluster.Config.of(3)
        .withBrokerSettings(Map.of("min.insync.replicas", "2")), new JsonObject());

  @Test
  void stoppingABrokerLosesNoAcknowledgedRecord() throws Exception {
    String topic = "replicated";
    kafka.stream().admin().createTopic(topic, 6, 3).await(60, TimeUnit.SECONDS);
    Set<String> consumed = ConcurrentHashMap.newKeySet();
    GroupMember member = kafka.stream().subscribe(SubscribeOptions.of(topic, "replicated-readers"), batch -> {
      for (StreamRecord record : batch) {
        consumed.add(new String(record.value(), StandardCharsets.UTF_8));
      }
      return Future.succeededFuture();
    }).await(60, TimeUnit.SECONDS);

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger failed = new AtomicInteger();
    int perBurst = 200;
    int burstsAfterStop = 10;
    CompletableFuture<Void> stopping = null;
    List<String> sentAfterStop = new ArrayList<>();
    int bursts = 0;
    long deadline = System.nanoTime() + WAIT.toNanos();
    // ten bursts before the stop, bursts while the broker stops, ten once it is down
    for (int burst = 0; sentAfterStop.size() < burstsAfterStop * perBurst; burst++) {
      assertThat(System.nanoTime()).as("time left to produce").isLessThan(deadline);
      bursts++;
      if (burst == 10) {
        // stop a broker while the next bursts are produced and the group reads
        stopping = CompletableFuture.runAsync(() -> kafka.cluster().stopNode(0));
      }
      List<Future<RecordPosition>> sends = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < perBurst; i++) {
        String id = "record-" + burst + "-" + i;
        ids.add(id);
        sends.add(kafka.stream().send(topic, "key-" + (i % 50), Map.of(), id.getBytes(StandardCharsets.UTF_8))
            .onSuccess(position -> acknowledged.add(id))
            .onFailure(e -> failed.incrementAndGet()));
      }
      Future.join(sends).await(WAIT.toSeconds(), TimeUnit.SECONDS);
      if (stopping != null && stopping.isDone()) {
        sentAfterStop.addAll(ids);
      }
    }
    stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(kafka.cluster().isRunning(0)).isFalse();

    assertThat(failed.get()).as("sends not acknowledged with a broker of three stopped").isZero();
    assertThat(acknowledged).hasSize(bursts * perBurst);
    assertThat(sentAfterStop).as("records sent once the broker was down").isNotEmpty();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(consumed).as("acknowledged records consumed").containsAll(acknowledged));

    // the broker comes back on the same ports and data, and the cluster keeps serving
    kafka.cluster().startNode(0);
    List<Future<RecordPosition>> more = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      more.add(kafka.stream().send(topic, "key-" + i, Map.of(), ("after-restart-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    Future.all(more).await(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).untilAsserted(() -> assertThat(consumed).filteredOn(id -> id.startsWith("after-restart-"))
        .hasSize(100));
    member.leave().await(30, TimeUnit.SECONDS);
  }
}
