package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.ProducerTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The producer contract, unchanged, against the Kafka broker all contract classes share. */
class KafkaProducerTest extends ProducerTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaProducerTest() {
    super(broker);
  }
}
