package dev.fanout.stream.memory;

import dev.fanout.stream.tck.RetentionTestBase;
import io.vertx.core.Future;

/** The retention contract, against the in-memory backend; records are dropped straight from its log. */
class MemoryRetentionTest extends RetentionTestBase {

  MemoryRetentionTest() {
    super(MemoryBackend.DEFAULT);
  }

  @Override
  protected Future<Void> dropRecordsBefore(String topic, int partition, long offset) {
    ((MemoryStream) stream).topic(topic).log(partition).deleteBefore(offset);
    return Future.succeededFuture();
  }
}
