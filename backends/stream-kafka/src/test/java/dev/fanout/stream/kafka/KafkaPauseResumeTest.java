package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.PauseResumeTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pause and resume contract, unchanged, against the Kafka broker all contract classes share. */
class KafkaPauseResumeTest extends PauseResumeTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaPauseResumeTest() {
    super(broker);
  }
}
