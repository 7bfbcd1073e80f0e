package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.ConsumerGroupTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract of one consumer group, unchanged, against the Kafka broker all contract classes share. */
class KafkaConsumerGroupTest extends ConsumerGroupTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaConsumerGroupTest() {
    super(broker);
  }
}
