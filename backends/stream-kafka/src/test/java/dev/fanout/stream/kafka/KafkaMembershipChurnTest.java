package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.MembershipChurnTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The randomised membership churn, unchanged, against the Kafka broker all contract classes share. */
class KafkaMembershipChurnTest extends MembershipChurnTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaMembershipChurnTest() {
    super(broker);
  }
}
