package dev.fanout.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamBackends;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KafkaStreamOptionsTest {

  @Test
  void defaultsApplyAndNativeSettingsPassThrough() {
    KafkaStreamOptions options = KafkaStreamOptions.fromJson(new JsonObject()
        .put("bootstrap.servers", "127.0.0.1:9092, 127.0.0.1:9093")
        .put("poll.timeout.ms", "250")
        .put("producer", new JsonObject().put("linger.ms", 20)));
    assertThat(options.clientIdPrefix()).isEqualTo("fanout");
    assertThat(options.pollTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(options.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.subscribeTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.producerProperties()).containsEntry("linger.ms", "20").containsEntry("acks", "all")
        .containsEntry("enable.idempotence", "true");
    assertThat(options.consumerProperties("g", "m-1", StartPosition.LATEST))
        .containsEntry("enable.auto.commit", "false").containsEntry("auto.offset.reset", "latest")
        .containsEntry("group.id", "g").containsEntry("client.id", "m-1");
  }

  @Test
  void everyBadSettingIsNamed() {
    assertFailsNaming(new JsonObject(), "bootstrap.servers");
    assertFailsNaming(new JsonObject().put("bootstrap.servers", "localhost"), "bootstrap.servers");
    JsonObject ok = new JsonObject().put("bootstrap.servers", "127.0.0.1:9092");
    assertFailsNaming(ok.copy().put("bootstrap.server", "127.0.0.1:9092"), "bootstrap.server'");
    assertFailsNaming(ok.copy().put("poll.timeout.ms", 0), "poll.timeout.ms");
    assertFailsNaming(ok.copy().put("poll.timeout.ms", "soon"), "poll.timeout.ms");
    assertFailsNaming(ok.copy().put("buffered.batches", 1000), "buffered.batches");
    assertFailsNaming(ok.copy().put("subscribe.timeout.ms", 99), "subscribe.timeout.ms");
    assertFailsNaming(ok.copy().put("client.id.prefix", "a b"), "client.id.prefix");
    assertFailsNaming(ok.copy().put("producer", "acks=1"), "producer");
    assertFailsNaming(ok.copy().put("producer", new JsonObject().put("acks", "1")), "producer.acks");
    assertFailsNaming(ok.copy().put("consumer", new JsonObject().put("enable.auto.commit", true)),
        "consumer.enable.auto.commit");
  }

  @Test
  void theProviderFailsOpenWithTheSettingsMessage() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Throwable failure = StreamBackends.open(vertx, "kafka", new JsonObject().put("poll.timeout.ms", 5))
          .toCompletionStage().toCompletableFuture()
          .handle((v, e) -> e).get(10, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap.servers");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anUnreachableClusterFailsOpenNamingIt() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // a port nothing listens on
      java.net.ServerSocket socket = new java.net.ServerSocket(0);
      int port = socket.getLocalPort();
      socket.close();
      Throwable failure = StreamBackends.open(vertx, "kafka", new JsonObject()
              .put("bootstrap.servers", "127.0.0.1:" + port).put("request.timeout.ms", 1000))
          .toCompletionStage().toCompletableFuture()
          .handle((v, e) -> e).get(30, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("127.0.0.1:" + port);
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void assertFailsNaming(JsonObject config, String name) {
    assertThatThrownBy(() -> KafkaStreamOptions.fromJson(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name);
  }
}
