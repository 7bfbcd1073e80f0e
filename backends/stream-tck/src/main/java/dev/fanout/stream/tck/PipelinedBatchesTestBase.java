package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.GroupSnapshots.committedOffsets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.tck.DeliveryLog.Delivery;
import io.vertx.core.Future;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Several batches of one partition in flight at once ({@link SubscribeOptions#maxBatchesInFlight()}): they
 * go out in offset order up to the bound, the committed offset follows the contiguous prefix of succeeded
 * batches, a failure sends the partition back to it after the retry delay, and leaving commits the prefix.
 * Every test writes to one partition, in batches of one record, and holds each record's first delivery
 * until the test completes it.
 */
public abstract class PipelinedBatchesTestBase extends StreamTestBase {

  private static final int P = 0;
  private static final long RETRY_DELAY_MS = 500;

  protected PipelinedBatchesTestBase(BackendUnderTest backend) {
    super(backend);
  }

  /** A group reading a topic with {@code records} records on partition {@link #P}, its first member subscribed. */
  private final class Pipeline {
    final String topic = createTopic("pipelined");
    final String group = name("pipelined-group");
    final List<RecordPosition> sent;
    final SubscribeOptions options;
    final DeliveryLog log;
    final Set<Long> delivered = ConcurrentHashMap.newKeySet();
    // holds the first delivery of each offset; redeliveries succeed at once
    final HeldBatches holder = new HeldBatches(batch -> delivered.add(batch.get(0).offset()));
    final GroupMember member;

    Pipeline(int records, int maxBatchesInFlight) {
      sent = new Sender(topic).sendAll(Collections.nCopies(records, TestRecords.keyOn(P, partitions(), 0)));
      options = SubscribeOptions.of(topic, group).withMaxBatchSize(1).withRetryDelayMs(RETRY_DELAY_MS)
          .withMaxBatchesInFlight(maxBatchesInFlight);
      log = newLog(group, topic, 1, maxBatchesInFlight);
      member = subscribe(options, log, "first", holder.behaviour());
    }

    long committed() {
      return committedOffsets(describe(group, topic)).get(P);
    }

    List<Long> held() {
      return holder.pendingFirstOffsets(P);
    }

    void awaitEverythingHandled() {
      eventually().untilAsserted(() -> {
        assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(committed()).isEqualTo(sent.size());
      });
      assertThat(log.orderViolations()).isEmpty();
    }
  }

  @Test
  void handsOutUpToMaxBatchesInFlightOfOnePartitionInOffsetOrder() {
    Pipeline pipeline = new Pipeline(8, 4);
    eventually().untilAsserted(() -> assertThat(pipeline.held()).containsExactly(0L, 1L, 2L, 3L));
    holdsFor(quietPeriod(), () -> assertThat(pipeline.log.deliveries()).as("batches handed out while 4 are in flight")
        .hasSize(4));
    pipeline.holder.complete(P, 0, true);
    eventually().untilAsserted(() -> assertThat(pipeline.held()).containsExactly(1L, 2L, 3L, 4L));
    holdsFor(quietPeriod(), () -> assertThat(pipeline.log.deliveries()).hasSize(5));
    for (long offset = 1; offset < 8; offset++) {
      long next = offset;
      eventually().untilAsserted(() -> assertThat(pipeline.held()).contains(next));
      pipeline.holder.complete(P, next, true);
    }
    pipeline.awaitEverythingHandled();
  }

  @Test
  void batchesCompletedOutOfOrderCommitOnlyTheContiguousPrefix() {
    Pipeline pipeline = new Pipeline(4, 4);
    eventually().untilAsserted(() -> assertThat(pipeline.held()).containsExactly(0L, 1L, 2L, 3L));
    pipeline.holder.complete(P, 0, true);
    eventually().untilAsserted(() -> assertThat(pipeline.committed()).isEqualTo(1));
    pipeline.holder.complete(P, 3, true);
    pipeline.holder.complete(P, 2, true);
    holdsFor(quietPeriod(), () -> assertThat(pipeline.committed()).as("committed while offset 1 is in flight")
        .isEqualTo(1));
    pipeline.holder.complete(P, 1, true);
    pipeline.awaitEverythingHandled();
  }

  @Test
  void aFailedBatchSendsThePartitionBackToTheCommittedOffsetAfterTheRetryDelay() {
    Pipeline pipeline = new Pipeline(6, 4);
    eventually().untilAsserted(() -> assertThat(pipeline.held()).containsExactly(0L, 1L, 2L, 3L));
    pipeline.holder.complete(P, 0, true);
    eventually().untilAsserted(() -> {
      assertThat(pipeline.held()).containsExactly(1L, 2L, 3L, 4L);
      assertThat(pipeline.committed()).isEqualTo(1);
    });
    pipeline.holder.complete(P, 1, false);
    holdsFor(quietPeriod(), () -> {
      assertThat(pipeline.log.deliveries()).as("batches handed out after the failure").hasSize(5);
      assertThat(pipeline.committed()).isEqualTo(1);
    });
    pipeline.holder.complete(P, 2, true);
    pipeline.holder.complete(P, 3, true);
    long lastEnded = System.nanoTime();
    pipeline.holder.complete(P, 4, true);
    // offsets 1..4 come again and succeed at once; 5 comes for the first time
    eventually().untilAsserted(() -> assertThat(pipeline.held()).containsExactly(5L));
    pipeline.holder.complete(P, 5, true);
    pipeline.awaitEverythingHandled();

    List<Delivery> again = pipeline.log.deliveries().subList(5, pipeline.log.deliveries().size());
    assertThat(again.get(0).firstOffset()).as("where the partition went back to").isEqualTo(1);
    assertThat(TimeUnit.NANOSECONDS.toMillis(again.get(0).nanoTime() - lastEnded))
        .as("ms from the end of the last batch in flight to the redelivery").isGreaterThanOrEqualTo(RETRY_DELAY_MS);
    for (RecordPosition position : pipeline.sent) {
      int expected = position.offset() >= 1 && position.offset() <= 4 ? 2 : 1;
      assertThat(pipeline.log.timesHandled(position)).as("times %s was handled", position).isEqualTo(expected);
    }
  }

  @Test
  void leaveWaitsForTheBatchesInFlightAndCommitsThePrefixForTheNextMember() {
    Pipeline pipeline = new Pipeline(8, 4);
    eventually().untilAsserted(() -> assertThat(pipeline.held()).containsExactly(0L, 1L, 2L, 3L));
    pipeline.holder.complete(P, 0, true);
    pipeline.holder.complete(P, 2, true);
    eventually().untilAsserted(() -> assertThat(pipeline.held()).containsExactly(1L, 3L, 4L, 5L));

    Future<Void> leaving = pipeline.member.leave();
    holdsFor(quietPeriod(), () -> {
      assertThat(leaving.isComplete()).as("left while batches are in flight").isFalse();
      assertThat(pipeline.log.deliveries()).as("batches handed out while leaving").hasSize(6);
    });
    pipeline.holder.complete(P, 3, true);
    pipeline.holder.complete(P, 5, true);
    pipeline.holder.complete(P, 1, true);
    pipeline.holder.complete(P, 4, false);
    join(leaving);
    assertThat(pipeline.committed()).as("committed when leave completed: up to the failed batch").isEqualTo(4);

    subscribe(pipeline.options, pipeline.log, "second", OK);
    pipeline.awaitEverythingHandled();
    assertThat(pipeline.log.deliveriesTo("second").get(0).firstOffset()).as("where the next member started")
        .isEqualTo(4);
    for (RecordPosition position : pipeline.sent) {
      int expected = position.offset() == 4 || position.offset() == 5 ? 2 : 1;
      assertThat(pipeline.log.timesHandled(position)).as("times %s was handled", position).isEqualTo(expected);
    }
  }

  @Test
  void oneBatchInFlightByDefaultHandsOutTheNextOnlyAfterThePreviousCompleted() {
    assertThat(SubscribeOptions.of("t", "g").maxBatchesInFlight()).isEqualTo(1);
    Pipeline pipeline = new Pipeline(3, SubscribeOptions.DEFAULT_MAX_BATCHES_IN_FLIGHT);
    eventually().untilAsserted(() -> assertThat(pipeline.held()).containsExactly(0L));
    holdsFor(quietPeriod(), () -> assertThat(pipeline.log.deliveries()).hasSize(1));
    pipeline.holder.complete(P, 0, true);
    eventually().untilAsserted(() -> {
      assertThat(pipeline.held()).containsExactly(1L);
      assertThat(pipeline.committed()).isEqualTo(1);
    });
    pipeline.holder.complete(P, 1, true);
    eventually().untilAsserted(() -> assertThat(pipeline.held()).containsExactly(2L));
    pipeline.holder.complete(P, 2, true);
    pipeline.awaitEverythingHandled();
  }
}
