package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.FailureTypesTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The failures and their types, unchanged, against the Kafka broker all contract classes share. */
class KafkaFailureTypesTest extends FailureTypesTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaFailureTypesTest() {
    super(broker);
  }
}
