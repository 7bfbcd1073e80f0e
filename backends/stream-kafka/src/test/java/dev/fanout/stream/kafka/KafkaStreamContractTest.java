package dev.fanout.stream.kafka;

import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.tck.StreamContractSuite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The whole stream contract, unchanged, against one real Kafka broker started once for the class. */
class KafkaStreamContractTest extends StreamContractSuite {

  private EmbeddedKafkaCluster cluster;

  @BeforeAll
  void startBroker() {
    cluster = EmbeddedKafkaCluster.start(1);
  }

  @AfterAll
  void stopBroker() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected Future<EventStream> openStream(Vertx vertx) {
    return StreamBackends.open(vertx, backendName(),
        new JsonObject().put("bootstrap.servers", cluster.bootstrapServers()));
  }

  @Override
  protected String backendName() {
    return "kafka";
  }
}
