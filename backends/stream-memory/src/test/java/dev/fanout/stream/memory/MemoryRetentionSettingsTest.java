package dev.fanout.stream.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Retention settings of the in-memory backend that cannot fit in the heap are refused, naming the setting. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemoryRetentionSettingsTest {

  private static final long MAX_HEAP = Runtime.getRuntime().maxMemory();

  private Vertx vertx;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stop() throws Exception {
    join(vertx.close());
  }

  @Test
  void aFixedRetentionThatCannotFitIsRefusedNamingIt() throws Exception {
    Throwable tooBigForOne = failure(StreamBackends.open(vertx, "memory",
        new JsonObject().put("retention.bytes", MAX_HEAP)));
    assertThat(tooBigForOne).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention.bytes");

    EventStream stream = join(StreamBackends.open(vertx, "memory",
        new JsonObject().put("retention.bytes", MAX_HEAP / 100)));
    try {
      join(stream.admin().createTopic("fits", 10, 1));
      Throwable tooMany = failure(stream.admin().createTopic("does-not-fit", 100, 1));
      assertThat(tooMany).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention.bytes")
          .hasMessageContaining("110 partitions");
      assertThat(join(stream.admin().listTopics())).extracting(t -> t.name()).containsExactly("fits");
    } finally {
      join(stream.close());
    }
  }

  @Test
  void aHeapShareOutOfRangeIsRefusedNamingIt() throws Exception {
    for (Object share : new Object[] {0, 0.9, "half"}) {
      assertThat(failure(StreamBackends.open(vertx, "memory", new JsonObject().put("retention.heap.share", share))))
          .as("share %s", share).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("retention.heap.share");
    }
  }

  private static <T> T join(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }
}
