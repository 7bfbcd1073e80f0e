package dev.fanout.stream.memory;

import dev.fanout.stream.tck.GroupAcrossStreamsTestBase;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** One group over two streams, against the in-memory backend: both streams name one instance. */
class MemoryGroupAcrossStreamsTest extends GroupAcrossStreamsTestBase {

  MemoryGroupAcrossStreamsTest() {
    super(new MemoryBackend(new JsonObject().put("instance", "across-" + UUID.randomUUID())));
  }
}
