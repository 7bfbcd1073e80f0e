package dev.fanout.stream.kafka;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.tck.GroupAcrossStreamsTestBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One group over two streams (two clients, as two processes), against the broker all contract classes share. */
class KafkaGroupAcrossStreamsTest extends GroupAcrossStreamsTestBase {

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
