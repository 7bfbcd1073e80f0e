package dev.fanout.stream.spi;

import dev.fanout.stream.EventStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * A stream backend, found with {@link java.util.ServiceLoader}: list the implementation class in
 * {@code META-INF/services/dev.fanout.stream.spi.StreamBackendProvider}.
 *
 * <p>A provider must have a public no-argument constructor and do no work in it.
 */
public interface StreamBackendProvider {

  /** The unique name users select the backend by, lower case, such as {@code memory} or {@code kafka}. */
  String name();

  /**
   * The configuration key that names the servers this backend connects to (Kafka: {@code bootstrap.servers}),
   * or null for a backend that runs inside the process and needs none.
   */
  default String serversKey() {
    return null;
  }

  /**
   * Opens a stream. The provider validates {@code config} here and fails the future with an
   * {@link IllegalArgumentException} naming the bad setting; it must not block the calling thread.
   */
  Future<EventStream> open(Vertx vertx, JsonObject config);
}
