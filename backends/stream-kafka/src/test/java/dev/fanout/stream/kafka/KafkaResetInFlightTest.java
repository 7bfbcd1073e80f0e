package dev.fanout.stream.kafka;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.tck.ResetInFlightTestBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A reset with batches in flight, unchanged, against the Kafka broker all contract classes share. */
class KafkaResetInFlightTest extends ResetInFlightTestBase {

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
