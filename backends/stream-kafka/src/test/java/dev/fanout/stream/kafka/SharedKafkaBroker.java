package dev.fanout.stream.kafka;

import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.tck.BackendUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process Kafka broker for every contract test class of the test JVM: the first class to start
 * starts it, the others reuse it, and JUnit closes it when the launcher session (the whole run) ends.
 * Register it in each class as
 * {@code @RegisterExtension static final SharedKafkaBroker broker = new SharedKafkaBroker();} and hand it to
 * the contract base as the backend under test.
 *
 * <p>Sharing is safe because every contract test uses topics and groups of its own. Tests that need a
 * broker configured their own way, or stop brokers, use {@link KafkaStreamFixture} instead.
 */
final class SharedKafkaBroker implements BeforeAllCallback, BackendUnderTest {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedKafkaBroker.class);

  private EmbeddedKafkaCluster cluster;

  @Override
  public void beforeAll(ExtensionContext context) {
    // not the root store: that one ends with each launcher execution, and Surefire may run one per class;
    // the session's store outlives them all and closes the AutoCloseable values it holds when it ends
    cluster = context.getStore(ExtensionContext.StoreScope.LAUNCHER_SESSION, NAMESPACE).getOrComputeIfAbsent(
        EmbeddedKafkaCluster.class, type -> EmbeddedKafkaCluster.start(1), EmbeddedKafkaCluster.class);
  }

  /** Where clients reach the shared broker. */
  String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public String name() {
    return "kafka";
  }

  /** A fresh Kafka stream on the shared broker; the caller closes it. */
  @Override
  public Future<EventStream> openStream(Vertx vertx) {
    return openStream(vertx, new JsonObject());
  }

  /** A fresh Kafka stream on the shared broker with {@code settings} (servers added); the caller closes it. */
  Future<EventStream> openStream(Vertx vertx, JsonObject settings) {
    return StreamBackends.open(vertx, "kafka", settings.copy().put("bootstrap.servers", bootstrapServers()));
  }
}
