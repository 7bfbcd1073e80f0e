package dev.fanout.stream.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConsumerGroupTest {

  private final ConsumerGroup group = new ConsumerGroup("g", "t", 4);
  private final AtomicInteger wakeups = new AtomicInteger();
  private final ConsumerGroup.Listener listener = wakeups::incrementAndGet;

  private List<Integer> partitionsOf(String member) {
    return group.grants(member).stream().map(ConsumerGroup.Grant::partition).toList();
  }

  @Test
  void firstMemberGetsEveryPartitionAtOnce() {
    assertThat(group.state()).isEqualTo(GroupState.EMPTY);
    group.join("a", listener);
    assertThat(partitionsOf("a")).containsExactly(0, 1, 2, 3);
    assertThat(group.grants("a")).noneMatch(ConsumerGroup.Grant::revoking);
    assertThat(group.state()).isEqualTo(GroupState.STABLE);
  }

  @Test
  void aJoiningMemberWaitsUntilTheOwnerReleases() {
    group.join("a", listener);
    group.join("b", listener);
    // b is due partitions 2 and 3 (a keeps its lowest ones), but a still owns them until it releases them
    assertThat(partitionsOf("b")).isEmpty();
    assertThat(group.state()).isEqualTo(GroupState.REBALANCING);
    List<ConsumerGroup.Grant> revoking = group.grants("a").stream().filter(ConsumerGroup.Grant::revoking).toList();
    assertThat(revoking).extracting(ConsumerGroup.Grant::partition).containsExactly(2, 3);

    for (ConsumerGroup.Grant grant : revoking) {
      group.release("a", grant.partition(), grant.epoch());
    }
    assertThat(partitionsOf("a")).containsExactly(0, 1);
    assertThat(partitionsOf("b")).containsExactly(2, 3);
    assertThat(group.state()).isEqualTo(GroupState.STABLE);
  }

  @Test
  void commitsAreFencedByOwnerAndEpoch() {
    group.join("a", listener);
    int epoch = group.grants("a").get(0).epoch();
    assertThat(group.commit("a", 0, epoch, 10)).isTrue();
    assertThat(group.commit("b", 0, epoch, 20)).isFalse();
    assertThat(group.commit("a", 0, epoch + 1, 30)).isFalse();
    assertThat(group.committed(0)).isEqualTo(10);
  }

  @Test
  void aCrashedMembersPartitionsMoveAndItsLateCommitIsRejected() {
    group.join("a", listener);
    group.join("b", listener);
    ConsumerGroup.Grant aOwnsZero = group.grants("a").get(0);
    for (ConsumerGroup.Grant grant : group.grants("a")) {
      if (grant.revoking()) {
        group.release("a", grant.partition(), grant.epoch());
      }
    }
    group.commit("a", 0, aOwnsZero.epoch(), 5);

    group.remove("a");
    assertThat(partitionsOf("b")).containsExactly(0, 1, 2, 3);
    assertThat(group.commit("a", 0, aOwnsZero.epoch(), 99)).isFalse();
    assertThat(group.committed(0)).isEqualTo(5);
  }

  @Test
  void extraMembersAreIdleAndTakeOverWhenAnOwnerLeaves() {
    for (String m : List.of("a", "b", "c", "d", "e", "f")) {
      group.join(m, listener);
      settle(group);
    }
    Map<String, List<Integer>> before = group.ownership();
    assertThat(before).containsEntry("e", List.of()).containsEntry("f", List.of());
    group.remove("b");
    settle(group);
    // b's partition goes to e, the first idle member; nothing else moves
    Map<String, List<Integer>> after = group.ownership();
    assertThat(after.get("e")).isEqualTo(before.get("b"));
    assertThat(after.get("f")).isEmpty();
    for (String m : List.of("a", "c", "d")) {
      assertThat(after.get(m)).as("partitions of %s", m).isEqualTo(before.get(m));
    }
  }

  @Test
  void whenAMemberLeavesTheOthersKeepEveryPartitionTheyHad() {
    ConsumerGroup twelve = new ConsumerGroup("g", "t", 12);
    for (String member : List.of("a", "b", "c")) {
      twelve.join(member, listener);
      settle(twelve);
    }
    Map<String, List<Integer>> before = twelve.ownership();
    twelve.remove("b");
    settle(twelve);
    Map<String, List<Integer>> after = twelve.ownership();
    assertThat(after.get("a")).as("partitions of a, which had %s", before.get("a")).containsAll(before.get("a"))
        .hasSize(6);
    assertThat(after.get("c")).as("partitions of c, which had %s", before.get("c")).containsAll(before.get("c"))
        .hasSize(6);
  }

  @Test
  void aJoiningMemberTakesOnlyItsShareFromTheOthers() {
    ConsumerGroup twelve = new ConsumerGroup("g", "t", 12);
    for (String member : List.of("a", "b")) {
      twelve.join(member, listener);
      settle(twelve);
    }
    Map<String, List<Integer>> before = twelve.ownership();
    twelve.join("c", listener);
    settle(twelve);
    Map<String, List<Integer>> after = twelve.ownership();
    assertThat(after.get("c")).hasSize(4);
    for (String member : List.of("a", "b")) {
      assertThat(before.get(member)).as("partitions of %s, which now has %s", member, after.get(member))
          .containsAll(after.get(member));
      assertThat(after.get(member)).hasSize(4);
    }
  }

  // Lets every owner give up what it is asked to, as members do once their batches end.
  private static void settle(ConsumerGroup group) {
    for (String member : group.ownership().keySet()) {
      for (ConsumerGroup.Grant grant : group.grants(member)) {
        if (grant.revoking()) {
          group.release(member, grant.partition(), grant.epoch());
        }
      }
    }
    assertThat(group.state()).isEqualTo(GroupState.STABLE);
  }

  @Test
  void resetMovesOffsetsAndFencesInFlightWork() {
    group.join("a", listener);
    int epoch = group.grants("a").get(2).epoch();
    group.commit("a", 2, epoch, 50);
    int before = wakeups.get();
    group.reset(Map.of(2, 0L));
    assertThat(group.committed(2)).isZero();
    assertThat(wakeups.get()).isGreaterThan(before);
    assertThat(group.commit("a", 2, epoch, 51)).isFalse();
    assertThat(group.grants("a").get(2).epoch()).isEqualTo(epoch + 1);
  }

  @Test
  void aReleaseOfAPartitionNotBeingRevokedIsIgnored() {
    group.join("a", listener);
    ConsumerGroup.Grant grant = group.grants("a").get(0);
    group.release("a", 0, grant.epoch());
    assertThat(partitionsOf("a")).contains(0);
  }
}
