package dev.fanout.stream.memory;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.tck.RetentionTestBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** The retention contract, against the in-memory backend; records are dropped straight from its log. */
class MemoryRetentionTest extends RetentionTestBase {

  @Override
  protected Future<EventStream> openStream(Vertx vertx) {
    return StreamBackends.open(vertx, "memory", new JsonObject());
  }

  @Override
  protected String backendName() {
    return "memory";
  }

  @Override
  protected Future<Void> dropRecordsBefore(String topic, int partition, long offset) {
    ((MemoryStream) stream).topic(topic).log(partition).deleteBefore(offset);
    return Future.succeededFuture();
  }
}
