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

/**
 * The in-memory backend's byte retention follows the heap: by default one share of the maximum heap for every
 * partition of every stream of the JVM, split over them; a setting that cannot fit is refused, naming it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeapBudgetTest {

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
  void theDefaultSplitsAShareOfTheHeapOverEveryPartition() throws Exception {
    MemoryStream first = (MemoryStream) join(StreamBackends.open(vertx, "memory", new JsonObject()));
    MemoryStream second = (MemoryStream) join(StreamBackends.open(vertx, "memory", new JsonObject()));
    try {
      long before = HeapBudget.JVM.partitions();
      join(first.admin().createTopic("budget-a", 12, 1));
      long budget = (long) (MemoryStreamOptions.DEFAULT_HEAP_SHARE * MAX_HEAP);
      assertThat(first.topic("budget-a").log(0).retentionBytes()).as("one topic of 12 partitions")
          .isEqualTo(budget / (before + 12));
      // a second stream's partitions take from the same heap
      join(second.admin().createTopic("budget-b", 36, 1));
      assertThat(first.topic("budget-a").log(11).retentionBytes()).as("after 36 more partitions elsewhere")
          .isEqualTo(budget / (before + 48));
      assertThat(second.topic("budget-b").log(35).retentionBytes()).isEqualTo(budget / (before + 48));
      join(second.admin().deleteTopic("budget-b"));
      assertThat(first.topic("budget-a").log(0).retentionBytes()).as("after the 36 were deleted")
          .isEqualTo(budget / (before + 12));
    } finally {
      join(first.close());
      join(second.close());
    }
  }

  @Test
  void aClosedStreamGivesItsShareBack() throws Exception {
    long before = HeapBudget.JVM.partitions();
    EventStream stream = join(StreamBackends.open(vertx, "memory", new JsonObject()));
    join(stream.admin().createTopic("budget-closed", 24, 1));
    assertThat(HeapBudget.JVM.partitions()).isEqualTo(before + 24);
    join(stream.close());
    assertThat(HeapBudget.JVM.partitions()).isEqualTo(before);
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
