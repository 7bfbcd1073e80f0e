package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.BackendLookupTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The backend lookup contract, unchanged, against the Kafka broker all contract classes share. */
class KafkaBackendLookupTest extends BackendLookupTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaBackendLookupTest() {
    super(broker);
  }
}
