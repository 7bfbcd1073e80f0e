package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.IndependentGroupsTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract of groups reading one topic independently, unchanged, against the Kafka broker all contract classes share. */
class KafkaIndependentGroupsTest extends IndependentGroupsTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaIndependentGroupsTest() {
    super(broker);
  }
}
