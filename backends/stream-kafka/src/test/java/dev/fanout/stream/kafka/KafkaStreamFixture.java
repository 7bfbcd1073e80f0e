package dev.fanout.stream.kafka;

import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process Kafka cluster, a Vert.x instance and a Kafka stream on them, started once per test class:
 * register it as {@code @RegisterExtension static final KafkaStreamFixture kafka = new KafkaStreamFixture(..)}.
 */
final class KafkaStreamFixture implements BeforeAllCallback, AfterAllCallback {

  private final EmbeddedKafkaCluster.Config config;
  private final JsonObject settings;
  private EmbeddedKafkaCluster cluster;
  private Vertx vertx;
  private EventStream stream;

  /** @param settings stream settings; the cluster's bootstrap servers are added to them */
  KafkaStreamFixture(EmbeddedKafkaCluster.Config config, JsonObject settings) {
    this.config = config;
    this.settings = settings;
  }

  EmbeddedKafkaCluster cluster() {
    return cluster;
  }

  EventStream stream() {
    return stream;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    cluster = new EmbeddedKafkaCluster(config);
    cluster.start();
    vertx = Vertx.vertx();
    stream = StreamBackends.open(vertx, "kafka",
        settings.copy().put("bootstrap.servers", cluster.bootstrapServers())).await(30, TimeUnit.SECONDS);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (stream != null) {
        stream.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      try {
        if (vertx != null) {
          vertx.close().await(30, TimeUnit.SECONDS);
        }
      } finally {
        cluster.close();
      }
    }
  }
}
