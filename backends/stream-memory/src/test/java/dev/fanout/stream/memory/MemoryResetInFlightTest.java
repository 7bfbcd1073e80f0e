package dev.fanout.stream.memory;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.tck.ResetInFlightTestBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** A reset with batches in flight, against the in-memory backend with its default settings. */
class MemoryResetInFlightTest extends ResetInFlightTestBase {

  @Override
  protected Future<EventStream> openStream(Vertx vertx) {
    return StreamBackends.open(vertx, "memory", new JsonObject());
  }

  @Override
  protected String backendName() {
    return "memory";
  }
}
