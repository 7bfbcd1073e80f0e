package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.GroupAcrossStreamsTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One group over two streams (two clients, as two processes), against the broker all contract classes share. */
class KafkaGroupAcrossStreamsTest extends GroupAcrossStreamsTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaGroupAcrossStreamsTest() {
    super(broker);
  }
}
