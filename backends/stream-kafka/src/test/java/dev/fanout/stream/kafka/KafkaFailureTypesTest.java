package dev.fanout.stream.kafka;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.tck.FailureTypesTestBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The failures and their types, unchanged, against the Kafka broker all contract classes share. */
class KafkaFailureTypesTest extends FailureTypesTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  @Override
  protected Future<EventStream> openStream(Vertx vertx) {
    return broker.openStream(vertx);
  }

  @Override
  protected String backendName() {
    return "kafka";
  }
}
