package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.OffsetResetTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The offset reset contract, unchanged, against the Kafka broker all contract classes share. */
class KafkaOffsetResetTest extends OffsetResetTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaOffsetResetTest() {
    super(broker);
  }
}
