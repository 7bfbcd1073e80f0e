package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.PipelinedBatchesTestBase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract of several batches of a partition in flight, unchanged, against the shared Kafka broker. */
class KafkaPipelinedBatchesTest extends PipelinedBatchesTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaPipelinedBatchesTest() {
    super(broker);
  }
}
