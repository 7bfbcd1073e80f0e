package dev.fanout.stream.memory;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.spi.StreamBackendProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Provides the {@code memory} backend; see {@link MemoryStreamOptions} for its settings. */
public final class MemoryStreamProvider implements StreamBackendProvider {

  public static final String NAME = "memory";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Future<EventStream> open(Vertx vertx, JsonObject config) {
    try {
      return Future.succeededFuture(new MemoryStream(vertx, MemoryStreamOptions.from(
          config == null ? new JsonObject() : config)));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
  }
}
