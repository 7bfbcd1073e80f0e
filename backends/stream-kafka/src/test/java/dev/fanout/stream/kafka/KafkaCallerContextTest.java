package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.CallerContextTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Futures completing on the caller's context, unchanged, against the Kafka broker all contract classes share. */
class KafkaCallerContextTest extends CallerContextTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaCallerContextTest() {
    super(broker);
  }
}
