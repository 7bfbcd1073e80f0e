package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.DeleteTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin contract on deleting topics and groups, unchanged, against the shared Kafka broker. */
class KafkaDeleteTest extends DeleteTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaDeleteTest() {
    super(broker);
  }
}
