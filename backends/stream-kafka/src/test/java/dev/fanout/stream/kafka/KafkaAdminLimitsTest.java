package dev.fanout.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.OffsetSpec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

/** What the cluster or the group coordinator cannot do fails with a message that says why. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaAdminLimitsTest {

  @RegisterExtension
  static final KafkaStreamFixture kafka = new KafkaStreamFixture(EmbeddedKafkaCluster.Config.of(1), new JsonObject());

  @Test
  void aReplicationFactorAboveTheBrokerCountFailsNamingBoth() throws Exception {
    Throwable failure = failureOf(kafka.stream().admin().createTopic("three-copies", 3, 3));
    assertThat(failure).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replication factor 3").hasMessageContaining("1 live broker");
    assertThat(kafka.stream().admin().listTopics().await(10, TimeUnit.SECONDS))
        .noneMatch(t -> t.name().equals("three-copies"));
  }

  @Test
  void resettingAGroupWithMembersInAnotherProcessIsRefusedButCanBePreviewed() throws Exception {
    String topic = "shared";
    String group = "shared-group";
    kafka.stream().admin().createTopic(topic, 2, 1).await(30, TimeUnit.SECONDS);
    kafka.stream().send(topic, "k", Map.of(), new byte[10]).await(30, TimeUnit.SECONDS);
    AtomicBoolean stop = new AtomicBoolean();
    Thread foreign = new Thread(() -> {
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
          "bootstrap.servers", kafka.cluster().bootstrapServers(), "group.id", group, "client.id", "someone-else",
          "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        while (!stop.get()) {
          consumer.poll(Duration.ofMillis(100));
        }
      }
    }, "foreign-member");
    foreign.start();
    try {
      // until the foreign consumer joined, the group is unknown and describing it fails
      await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(IllegalArgumentException.class)
          .untilAsserted(() -> assertThat(kafka.stream().admin().describeGroup(group).await(10, TimeUnit.SECONDS)
              .members()).hasSize(1));
      assertThat(kafka.stream().admin().resetOffsets(group, topic, OffsetSpec.earliest(), true).await(10, TimeUnit.SECONDS))
          .as("preview").containsOnlyKeys(0, 1);
      Throwable failure = failureOf(kafka.stream().admin().resetOffsets(group, topic, OffsetSpec.earliest(), false));
      assertThat(failure).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(group).hasMessageContaining("someone-else");
    } finally {
      stop.set(true);
      foreign.join(30_000);
    }
  }

  private static Throwable failureOf(Future<?> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(60, TimeUnit.SECONDS);
  }
}
