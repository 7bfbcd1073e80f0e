package dev.fanout.stream.memory;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.tck.GroupAcrossStreamsTestBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** One group over two streams, against the in-memory backend: both streams name one instance. */
class MemoryGroupAcrossStreamsTest extends GroupAcrossStreamsTestBase {

  private final String instance = "across-" + UUID.randomUUID();

  @Override
  protected Future<EventStream> openStream(Vertx vertx) {
    return StreamBackends.open(vertx, "memory", new JsonObject().put("instance", instance));
  }

  @Override
  protected String backendName() {
    return "memory";
  }
}
