package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.ResetInFlightTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A reset with batches in flight, unchanged, against the Kafka broker all contract classes share. */
class KafkaResetInFlightTest extends ResetInFlightTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaResetInFlightTest() {
    super(broker);
  }
}
