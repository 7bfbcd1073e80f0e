package dev.fanout.stream.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code instance} setting: streams naming one instance share its topics and groups, others share nothing. */
class MemoryInstancesTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void streamsNamingOneInstanceShareItsTopicsRecordsAndGroups() throws Exception {
    EventStream one = open(new JsonObject().put("instance", "shared"));
    EventStream two = open(new JsonObject().put("instance", "shared"));
    EventStream other = open(new JsonObject());
    one.admin().createTopic("t", 2, 1).await(10, TimeUnit.SECONDS);
    one.send("t", "k", Map.of(), new byte[] {7}).await(10, TimeUnit.SECONDS);

    List<StreamRecord> handled = new CopyOnWriteArrayList<>();
    two.subscribe(SubscribeOptions.of("t", "g"), batch -> {
      handled.addAll(batch);
      return Future.succeededFuture();
    }).await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(handled).hasSize(1));
    assertThat(one.admin().describeGroup("g").await(10, TimeUnit.SECONDS).members())
        .as("members of g seen from the other stream").hasSize(1);
    assertThat(other.admin().listTopics().await(10, TimeUnit.SECONDS)).as("topics of a private store").isEmpty();

    two.close().await(10, TimeUnit.SECONDS);
    assertThat(records(one)).as("records after one of two streams closed").isEqualTo(1);
    one.close().await(10, TimeUnit.SECONDS);
    EventStream later = open(new JsonObject().put("instance", "shared"));
    assertThat(later.admin().listTopics().await(10, TimeUnit.SECONDS)).as("topics once every stream had closed")
        .isEmpty();
    later.close().await(10, TimeUnit.SECONDS);
    other.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aStreamNamingAnOpenInstanceWithOtherRetentionFailsToOpen() throws Exception {
    EventStream first = open(new JsonObject().put("instance", "kept").put("retention.records", 10));
    try {
      Throwable failure = StreamBackends.open(vertx, "memory",
              new JsonObject().put("instance", "kept").put("retention.records", 20))
          .toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(10, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'kept'")
          .hasMessageContaining("retention.records=10");
      Throwable blank = StreamBackends.open(vertx, "memory", new JsonObject().put("instance", " "))
          .toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(10, TimeUnit.SECONDS);
      assertThat(blank).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("instance");
    } finally {
      first.close().await(10, TimeUnit.SECONDS);
    }
  }

  private EventStream open(JsonObject config) throws Exception {
    return StreamBackends.open(vertx, "memory", config).await(10, TimeUnit.SECONDS);
  }

  private static long records(EventStream stream) throws Exception {
    return stream.admin().listTopics().await(10, TimeUnit.SECONDS).stream()
        .flatMap(t -> t.partitions().stream()).mapToLong(TopicDescription.PartitionRange::endOffset).sum();
  }
}
