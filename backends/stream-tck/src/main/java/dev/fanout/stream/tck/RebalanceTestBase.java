package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.GroupSnapshots.committedOffsets;
import static dev.fanout.stream.tck.GroupSnapshots.ownedPartitions;
import static dev.fanout.stream.tck.GroupSnapshots.partitionsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.tck.DeliveryLog.Delivery;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How partitions change hands inside a group: a crashed member's in-flight batches go to the next owner
 * from the committed offset, while a leaving or a joining member makes a partition move only after the
 * batch in flight on it finished (and, when leaving, committed).
 */
public abstract class RebalanceTestBase extends StreamTestBase {

  protected RebalanceTestBase(BackendUnderTest backend) {
    super(backend);
  }

  @Test
  void aCrashedMembersInFlightBatchesGoToTheNextOwnerFromTheCommittedOffset() {
    int n = partitions();
    int perPartition = 8;
    String topic = createTopic("crash");
    String group = name("crash-group");
    new Sender(topic).sendAll(keysOnEveryPartition(perPartition));
    DeliveryLog log = newLog(group, topic, 3);
    // batches of at most 3 records: the one reaching offset 3 starts at 1 or later, after a committed batch
    HeldBatches holder = new HeldBatches(batch -> batch.get(batch.size() - 1).offset() >= 3);
    SubscribeOptions options = SubscribeOptions.of(topic, group).withMaxBatchSize(3);
    GroupMember first = subscribe(options, log, "first", holder.behaviour());
    eventually().untilAsserted(() -> {
      assertThat(holder.held().keySet()).as("partitions with a batch in flight").hasSize(n);
      assertThat(committedOffsets(describe(group, topic))).as("committed offsets while batches are in flight")
          .isEqualTo(holder.firstHeldOffsets());
    });
    Map<Integer, Long> committedAtCrash = holder.firstHeldOffsets();
    log.crashing("first");
    join(first.crash());
    // the crashed member's batches finish after the crash: they were abandoned and must not commit
    holder.releaseAll();
    holdsFor(quietPeriod(), () -> assertThat(committedOffsets(describe(group, topic)))
        .as("committed offsets after the crash").isEqualTo(committedAtCrash));

    subscribe(options, log, "second", OK);
    eventually().untilAsserted(() -> {
      assertThat(log.count()).as("records handled").isEqualTo(n * perPartition);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    for (int p = 0; p < n; p++) {
      int partition = p;
      List<Delivery> toSecond = log.deliveriesTo("second").stream().filter(d -> d.partition() == partition).toList();
      assertThat(toSecond).as("batches of partition %d handed to the next owner", p).isNotEmpty();
      assertThat(toSecond.get(0).firstOffset()).as("where the next owner started partition %d", p)
          .isEqualTo(committedAtCrash.get(p));
    }
    assertThat(log.orderViolations()).isEmpty();
  }

  @Test
  void aLeavingMemberFinishesAndCommitsItsInFlightBatchesBeforeItsPartitionsMove() {
    int n = partitions();
    int perPartition = 6;
    String topic = createTopic("leave");
    String group = name("leave-group");
    DeliveryLog log = newLog(group, topic, 3);
    HeldBatches holder = new HeldBatches(batch -> true);
    SubscribeOptions options = SubscribeOptions.of(topic, group).withMaxBatchSize(3);
    GroupMember leaver = subscribe(options, log, "leaver", holder.behaviour());
    GroupMember stayer = subscribe(options, log, "stayer", OK);
    eventually().untilAsserted(() -> {
      GroupDescription description = describe(group, topic);
      assertThat(ownedPartitions(description)).hasSize(n);
      assertThat(description.members()).hasSize(2).noneMatch(GroupDescription.Member::idle);
      assertThat(leaver.assignment()).isEqualTo(partitionsOf(description, leaver.memberId()));
      assertThat(stayer.assignment()).isEqualTo(partitionsOf(description, stayer.memberId()));
    });
    Set<Integer> leaverPartitions = leaver.assignment();
    List<RecordPosition> sent = new Sender(topic).sendAll(keysOnEveryPartition(perPartition));
    eventually().untilAsserted(() -> {
      assertThat(holder.held().keySet()).as("partitions of the leaver with a batch in flight")
          .isEqualTo(leaverPartitions);
      assertThat(log.deliveriesTo("stayer").stream().mapToInt(d -> d.records().size()).sum())
          .as("records handled by the stayer").isEqualTo(perPartition * (n - leaverPartitions.size()));
    });

    Future<Void> leaving = leaver.leave();
    holdsFor(quietPeriod(), () -> assertThat(log.deliveriesTo("stayer"))
        .as("batches of the leaver's partitions handed to the stayer while the leaver's are in flight")
        .noneMatch(d -> leaverPartitions.contains(d.partition())));
    Map<Integer, Long> lastHeld = holder.lastHeldOffsets();
    holder.releaseAll();
    join(leaving);
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    for (Delivery delivery : log.deliveriesTo("stayer")) {
      if (leaverPartitions.contains(delivery.partition())) {
        assertThat(delivery.firstOffset()).as("offset the stayer took partition %d over at", delivery.partition())
            .isGreaterThan(lastHeld.get(delivery.partition()));
      }
    }
    sent.forEach(position -> assertThat(log.timesHandled(position)).as("times %s was handled", position).isOne());
  }

  @Test
  void aJoiningMemberTakesOverAPartitionOnlyAfterItsInFlightBatchFinished() {
    int n = partitions();
    int perPartition = 6;
    String topic = createTopic("join");
    String group = name("join-group");
    List<RecordPosition> sent = new Sender(topic).sendAll(keysOnEveryPartition(perPartition));
    DeliveryLog log = newLog(group, topic, 3);
    HeldBatches holder = new HeldBatches(batch -> batch.get(0).offset() == 0);
    SubscribeOptions options = SubscribeOptions.of(topic, group).withMaxBatchSize(3);
    subscribe(options, log, "owner", holder.behaviour());
    eventually().untilAsserted(() -> assertThat(holder.held().keySet()).as("partitions with a batch in flight")
        .hasSize(n));
    GroupMember joiner = subscribe(options, log, "joiner", OK);
    holdsFor(quietPeriod(), () -> assertThat(log.deliveriesTo("joiner"))
        .as("batches handed to a new member while every partition has a batch in flight").isEmpty());
    Map<Integer, Long> lastHeld = holder.lastHeldOffsets();
    holder.releaseAll();
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
      assertThat(joiner.assignment()).as("partitions of the new member").isNotEmpty();
    });
    for (int partition : joiner.assignment()) {
      List<Delivery> taken = log.deliveriesTo("joiner").stream().filter(d -> d.partition() == partition).toList();
      assertThat(taken).as("batches of partition %d handed to the new member", partition).isNotEmpty();
      assertThat(taken.get(0).firstOffset()).as("offset the new member took partition %d over at", partition)
          .isEqualTo(lastHeld.get(partition) + 1);
    }
    sent.forEach(position -> assertThat(log.timesHandled(position)).as("times %s was handled", position).isOne());
  }
}
