package dev.fanout.stream.memory;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.tck.BackendUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** The in-memory backend as the contract bases open it: each stream with the same settings. */
final class MemoryBackend implements BackendUnderTest {

  /** Default settings: every stream a private store, as a process of its own. */
  static final MemoryBackend DEFAULT = new MemoryBackend(new JsonObject());

  private final JsonObject settings;

  MemoryBackend(JsonObject settings) {
    this.settings = settings.copy();
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Future<EventStream> openStream(Vertx vertx) {
    return StreamBackends.open(vertx, "memory", settings.copy());
  }
}
