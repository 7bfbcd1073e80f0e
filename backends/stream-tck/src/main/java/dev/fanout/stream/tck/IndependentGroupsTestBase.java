package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.TestRecords.keys;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Write once, read by many: every group reads every record of a topic, reading removes nothing, and a
 * group that stalls or keeps failing holds no other group back.
 */
public abstract class IndependentGroupsTestBase extends StreamTestBase {

  protected IndependentGroupsTestBase(BackendUnderTest backend) {
    super(backend);
  }

  @Test
  void everyGroupReadsEveryRecordAndReadingRemovesNothing() {
    String topic = createTopic("fanout");
    List<RecordPosition> sent = new Sender(topic).sendAll(keys(30, 10));
    List<DeliveryLog> groups = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      DeliveryLog log = newLog(name("fanout-group"), topic, 50);
      subscribe(SubscribeOptions.of(topic, log.group()).withMaxBatchSize(50), log, "m1", OK);
      groups.add(log);
    }
    for (DeliveryLog log : groups) {
      eventually().untilAsserted(() -> {
        assertThat(log.positions()).as("records handled by %s", log.group()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(describe(log.group(), topic).totalLag()).as("lag of %s", log.group()).isZero();
      });
    }
    TopicDescription description = topicDescription(topic);
    assertThat(description.partitions().stream().mapToLong(TopicDescription.PartitionRange::startOffset).sum())
        .as("start offsets after three groups read everything").isZero();
    assertThat(description.partitions().stream().mapToLong(TopicDescription.PartitionRange::endOffset).sum())
        .isEqualTo(sent.size());
    DeliveryLog late = newLog(name("fanout-late"), topic, 50);
    subscribe(SubscribeOptions.of(topic, late.group()).withMaxBatchSize(50), late, "m1", OK);
    eventually().untilAsserted(() -> assertThat(late.positions()).as("records handled by a group that came later")
        .containsExactlyInAnyOrderElementsOf(sent));
  }

  @Test
  void aStalledOrFailingGroupDoesNotHoldBackAnother() {
    String topic = createTopic("stall");
    DeliveryLog stuck = newLog(name("stuck"), topic, 10);
    DeliveryLog failing = newLog(name("failing"), topic, 10);
    DeliveryLog healthy = newLog(name("healthy"), topic, 10);
    HeldBatches holder = new HeldBatches(batch -> true);
    GroupMember stuckMember = subscribe(SubscribeOptions.of(topic, stuck.group()).withMaxBatchSize(10), stuck,
        "stuck", holder.behaviour());
    try {
      subscribe(SubscribeOptions.of(topic, failing.group()).withMaxBatchSize(10).withRetryDelayMs(10), failing,
          "failing", batch -> Future.failedFuture(new IllegalStateException("tck: this group always fails")));
      subscribe(SubscribeOptions.of(topic, healthy.group()).withMaxBatchSize(10), healthy, "healthy", OK);
      Sender sender = new Sender(topic);
      List<RecordPosition> sent = new ArrayList<>(sender.sendAll(keys(40, 10)));
      eventually().untilAsserted(() -> {
        assertThat(healthy.positions()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(describe(healthy.group(), topic).totalLag()).as("lag of the healthy group").isZero();
        assertThat(stuck.deliveries()).as("batches handed to the stalled group").isNotEmpty();
        assertThat(failing.deliveries().size()).as("batches handed to the failing group").isGreaterThan(1);
      });
      // the healthy group keeps up while the others are still stuck
      sent.addAll(sender.sendAll(keys(40, 5)));
      eventually().untilAsserted(() -> {
        assertThat(healthy.positions()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(describe(healthy.group(), topic).totalLag()).as("lag of the healthy group").isZero();
      });
      int stuckBatches = stuck.deliveries().size();
      holdsFor(quietPeriod(), () -> {
        // nothing was ever committed by these groups, so their lag is every record written
        assertThat(describe(stuck.group(), topic).totalLag()).as("lag of the stalled group").isEqualTo(sent.size());
        assertThat(describe(failing.group(), topic).totalLag()).as("lag of the failing group").isEqualTo(sent.size());
        assertThat(stuck.deliveries()).as("batches handed to the stalled group").hasSize(stuckBatches);
      });
    } finally {
      stuck.crashing("stuck");
      join(stuckMember.crash());
      holder.releaseAll();
    }
  }
}
