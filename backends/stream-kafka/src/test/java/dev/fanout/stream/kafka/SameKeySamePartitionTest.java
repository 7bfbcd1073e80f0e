package dev.fanout.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.KeyPartitioner;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamBackends;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A key lands on the same partition number under the memory backend, the Kafka backend, and Kafka's own
 * default partitioner.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SameKeySamePartitionTest {

  private static final int PARTITIONS = 12;

  private EmbeddedKafkaCluster cluster;
  private Vertx vertx;

  @BeforeAll
  void start() {
    cluster = EmbeddedKafkaCluster.start(1);
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void keyPartitionerIsKafkasMurmur2MadePositive() {
    Random random = new Random(42);
    List<String> keys = keys(random, 5_000);
    for (String key : keys) {
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      for (int partitions : new int[] {1, 2, 3, 6, 12, 50, 97}) {
        assertThat(KeyPartitioner.partition(key, partitions)).as("partition of '%s' among %d", key, partitions)
            .isEqualTo(Utils.toPositive(Utils.murmur2(bytes)) % partitions);
      }
    }
  }

  @Test
  void memoryKafkaBackendAndKafkasDefaultPartitionerAgree() throws Exception {
    String topic = "same-key";
    List<String> keys = keys(new Random(7), 300);
    EventStream kafka = StreamBackends.open(vertx, "kafka",
        new JsonObject().put("bootstrap.servers", cluster.bootstrapServers())).await(30, TimeUnit.SECONDS);
    EventStream memory = StreamBackends.open(vertx, "memory", new JsonObject()).await(30, TimeUnit.SECONDS);
    try {
      kafka.admin().createTopic(topic, PARTITIONS, 1).await(30, TimeUnit.SECONDS);
      memory.admin().createTopic(topic, PARTITIONS, 1).await(30, TimeUnit.SECONDS);
      List<Future<RecordPosition>> viaKafka = new ArrayList<>();
      List<Future<RecordPosition>> viaMemory = new ArrayList<>();
      for (String key : keys) {
        byte[] value = key.getBytes(StandardCharsets.UTF_8);
        viaKafka.add(kafka.send(topic, key, Map.of(), value));
        viaMemory.add(memory.send(topic, key, Map.of(), value));
      }
      Future.all(viaKafka).await(30, TimeUnit.SECONDS);
      Future.all(viaMemory).await(30, TimeUnit.SECONDS);

      List<Integer> byKafkasPartitioner = new ArrayList<>();
      try (KafkaProducer<String, String> plain = new KafkaProducer<>(
          Map.of("bootstrap.servers", cluster.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new ArrayList<>();
        for (String key : keys) {
          // no partition given: Kafka's built-in partitioner decides
          acks.add(plain.send(new ProducerRecord<>(topic, key, key)));
        }
        for (java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> ack : acks) {
          byKafkasPartitioner.add(ack.get(30, TimeUnit.SECONDS).partition());
        }
      }

      for (int i = 0; i < keys.size(); i++) {
        int expected = KeyPartitioner.partition(keys.get(i), PARTITIONS);
        assertThat(viaKafka.get(i).result().partition()).as("Kafka backend, key '%s'", keys.get(i)).isEqualTo(expected);
        assertThat(viaMemory.get(i).result().partition()).as("memory backend, key '%s'", keys.get(i))
            .isEqualTo(expected);
        assertThat(byKafkasPartitioner.get(i)).as("Kafka's default partitioner, key '%s'", keys.get(i))
            .isEqualTo(expected);
      }
      assertThat(viaKafka.stream().map(f -> f.result().partition()).distinct().count())
          .as("partitions used by %d keys", keys.size()).isEqualTo(PARTITIONS);
    } finally {
      kafka.close().await(30, TimeUnit.SECONDS);
      memory.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Short, long, empty, non-ASCII and typical keys. */
  private static List<String> keys(Random random, int count) {
    List<String> keys = new ArrayList<>(List.of("", "a", "author-1", "ключ", "鍵-🔑", "x".repeat(1000)));
    while (keys.size() < count) {
      int length = random.nextInt(40);
      StringBuilder key = new StringBuilder();
      for (int i = 0; i < length; i++) {
        key.appendCodePoint(random.nextInt(10) == 0 ? 0x400 + random.nextInt(200) : 'a' + random.nextInt(26));
      }
      keys.add(random.nextBoolean() ? "author-" + random.nextInt(100_000) : key.toString());
    }
    return keys;
  }
}
