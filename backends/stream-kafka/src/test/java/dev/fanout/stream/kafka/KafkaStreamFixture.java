package dev.fanout.stream.kafka;

import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/** An in-process Kafka cluster, a Vert.x instance and a Kafka stream on them, started once per test class. */
final class KafkaStreamFixture implements AutoCloseable {

  final EmbeddedKafkaCluster cluster;
  final Vertx vertx;
  final EventStream stream;

  private KafkaStreamFixture(EmbeddedKafkaCluster cluster, Vertx vertx, EventStream stream) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.stream = stream;
  }

  /** Starts the cluster, then opens a stream with {@code settings} plus the cluster's bootstrap servers. */
  static KafkaStreamFixture start(EmbeddedKafkaCluster.Config config, JsonObject settings) throws Exception {
    EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(config);
    cluster.start();
    Vertx vertx = Vertx.vertx();
    try {
      EventStream stream = StreamBackends.open(vertx, "kafka",
          settings.copy().put("bootstrap.servers", cluster.bootstrapServers())).await(30, TimeUnit.SECONDS);
      return new KafkaStreamFixture(cluster, vertx, stream);
    } catch (Exception e) {
      vertx.close().await(30, TimeUnit.SECONDS);
      cluster.close();
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      stream.close().await(30, TimeUnit.SECONDS);
    } finally {
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } finally {
        cluster.close();
      }
    }
  }
}
