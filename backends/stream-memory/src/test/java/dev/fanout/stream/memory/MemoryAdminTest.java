package dev.fanout.stream.memory;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.tck.AdminTestBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** The admin contract on topics and groups, against the in-memory backend with its default settings. */
class MemoryAdminTest extends AdminTestBase {

  @Override
  protected Future<EventStream> openStream(Vertx vertx) {
    return StreamBackends.open(vertx, "memory", new JsonObject());
  }

  @Override
  protected String backendName() {
    return "memory";
  }
}
