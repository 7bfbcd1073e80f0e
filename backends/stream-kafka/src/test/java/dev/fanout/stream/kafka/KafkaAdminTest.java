package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.AdminTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin contract on topics and groups, unchanged, against the Kafka broker all contract classes share. */
class KafkaAdminTest extends AdminTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaAdminTest() {
    super(broker);
  }
}
