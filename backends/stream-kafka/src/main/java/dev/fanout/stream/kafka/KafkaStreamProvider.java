package dev.fanout.stream.kafka;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.spi.StreamBackendProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** The {@code kafka} stream backend; its settings are listed in {@link KafkaStreamOptions.Setting}. */
public final class KafkaStreamProvider implements StreamBackendProvider {

  public static final String NAME = "kafka";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String serversKey() {
    return KafkaStreamOptions.Setting.BOOTSTRAP_SERVERS.key();
  }

  @Override
  public Future<EventStream> open(Vertx vertx, JsonObject config) {
    KafkaStreamOptions options;
    try {
      options = KafkaStreamOptions.fromJson(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return KafkaEventStream.open(vertx, options);
  }
}
