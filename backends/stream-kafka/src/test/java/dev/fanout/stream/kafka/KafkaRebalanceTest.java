package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.RebalanceTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract of partitions changing hands, unchanged, against the Kafka broker all contract classes share. */
class KafkaRebalanceTest extends RebalanceTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaRebalanceTest() {
    super(broker);
  }
}
