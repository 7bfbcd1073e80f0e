package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.TopicDescription;
import dev.fanout.stream.tck.DeliveryLog.Delivery;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A group whose committed offset fell out of the log's retention, found by a member that joins later or by
 * a running member retrying a failed batch: it goes on from the partition's start offset (its start position
 * is {@code EARLIEST}), skips nothing retained after it, and its description counts the reset.
 *
 * <p>Records are dropped through {@link #dropRecordsBefore}, which each backend implements with what it has
 * (memory: its log; Kafka: the admin client's {@code deleteRecords}).
 */
public abstract class RetentionTestBase extends StreamTestBase {

  protected RetentionTestBase(BackendUnderTest backend) {
    super(backend);
  }

  /**
   * Drops the records of one partition before {@code offset}, as retention would: afterwards the partition's
   * start offset is {@code offset}. Completes once the records are gone.
   */
  protected abstract Future<Void> dropRecordsBefore(String topic, int partition, long offset);

  @Test
  void aGroupWhoseCommittedOffsetLeftTheLogGoesOnFromTheStartAndCountsTheReset() {
    int perPartition = 4;
    int later = 6;
    long dropBefore = perPartition + 3;
    String topic = createTopic("retention");
    String group = name("retention-group");
    Sender sender = new Sender(topic);
    consumeAllThenLeave(topic, group, sender.sendAll(keysOnEveryPartition(perPartition)));

    // partition 0's committed offset 4 leaves the log: it keeps 7..9, the others keep everything
    List<RecordPosition> sentLater = sender.sendAll(keysOnEveryPartition(later));
    join(dropRecordsBefore(topic, 0, dropBefore));
    assertThat(topicDescription(topic).partitions()).filteredOn(range -> range.partition() == 0)
        .extracting(TopicDescription.PartitionRange::startOffset).as("start offset of partition 0")
        .containsExactly(dropBefore);
    List<RecordPosition> retained = sentLater.stream()
        .filter(position -> position.partition() != 0 || position.offset() >= dropBefore).toList();

    DeliveryLog after = newLog(group, topic, 50);
    subscribe(SubscribeOptions.of(topic, group), after, "second", OK);
    eventually().untilAsserted(() -> {
      assertThat(after.positions()).as("records handled after the drop")
          .containsExactlyInAnyOrderElementsOf(retained);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    List<Delivery> partition0 = after.deliveries().stream().filter(d -> d.partition() == 0).toList();
    assertThat(partition0.get(0).firstOffset()).as("where partition 0 went on").isEqualTo(dropBefore);
    assertThat(describe(group, topic).offsetResets()).as("offset resets counted").isEqualTo(1);
  }

  @Test
  void aRunningMemberWhoseRetryFindsItsOffsetGoneGoesOnFromTheStartAndCountsTheReset() {
    int perPartition = 4;
    long dropBefore = perPartition + 3;
    String topic = createTopic("retention-retry");
    String group = name("retention-retry-group");
    Sender sender = new Sender(topic);
    List<RecordPosition> first = sender.sendAll(keysOnEveryPartition(perPartition));
    AtomicBoolean dropped = new AtomicBoolean();
    AtomicInteger failures = new AtomicInteger();
    BatchHandler failPartition0UntilDropped = batch -> {
      if (batch.get(0).partition() == 0 && batch.get(0).offset() >= perPartition && !dropped.get()) {
        failures.incrementAndGet();
        return Future.failedFuture(new IllegalStateException("tck: fails until its records are dropped"));
      }
      return Future.succeededFuture();
    };
    DeliveryLog log = newLog(group, topic, 50);
    subscribe(SubscribeOptions.of(topic, group).withRetryDelayMs(50), log, "m1", failPartition0UntilDropped);
    eventually().untilAsserted(() -> assertThat(log.positions()).containsAll(first));

    List<RecordPosition> sentLater = sender.sendAll(keysOnEveryPartition(6));
    eventually().untilAsserted(() -> assertThat(failures).as("failed batches of partition 0").hasPositiveValue());
    // the batch at offset 4 waits for its retry: its records go before it is delivered again
    join(dropRecordsBefore(topic, 0, dropBefore));
    dropped.set(true);
    List<RecordPosition> retained = sentLater.stream()
        .filter(position -> position.partition() != 0 || position.offset() >= dropBefore).toList();
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).as("records handled").containsAll(retained);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    assertThat(describe(group, topic).offsetResets()).as("offset resets counted").isEqualTo(1);
  }
}
