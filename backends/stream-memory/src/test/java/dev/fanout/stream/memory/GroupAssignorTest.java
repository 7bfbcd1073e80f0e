package dev.fanout.stream.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GroupAssignorTest {

  @Test
  void noMembersMeansNoOwners() {
    assertThat(GroupAssignor.assign(List.of(), 4)).containsOnlyNulls().hasSize(4);
  }

  @Test
  void partitionsAreSpreadEvenly() {
    String[] owners = GroupAssignor.assign(List.of("a", "b", "c"), 12);
    assertThat(Arrays.stream(owners).filter("a"::equals).count()).isEqualTo(4);
    assertThat(Arrays.stream(owners).filter("b"::equals).count()).isEqualTo(4);
    assertThat(Arrays.stream(owners).filter("c"::equals).count()).isEqualTo(4);
  }

  @Test
  void membersBeyondThePartitionCountOwnNothing() {
    String[] owners = GroupAssignor.assign(List.of("a", "b", "c", "d", "e"), 3);
    assertThat(owners).containsExactly("a", "b", "c");
  }

  @Test
  void aPartitionStaysWithALiveOwnerAsLongAsBalanceAllows() {
    String[] before = {"a", "a", "a", "b", "b", "b", "c", "c", "c"};
    String[] after = GroupAssignor.assign(List.of("a", "c"), 9, before);
    // b's three partitions are split: a (which had as many as c) gets the larger share by join order
    assertThat(after).containsExactly("a", "a", "a", "a", "a", "c", "c", "c", "c");
  }

  @Test
  void aMemberWithMoreThanItsShareKeepsItsLowestPartitions() {
    String[] before = {"a", "a", "a", "a", "a", "a"};
    assertThat(GroupAssignor.assign(List.of("a", "b", "c"), 6, before))
        .containsExactly("a", "a", "b", "b", "c", "c");
  }

  @Test
  void theSameArgumentsGiveTheSameAssignment() {
    String[] before = {"x", "b", null, "a", "b", "b", "a"};
    assertThat(GroupAssignor.assign(List.of("a", "b", "c"), 7, before))
        .isEqualTo(GroupAssignor.assign(List.of("a", "b", "c"), 7, before.clone()));
  }

  /**
   * Random joins and leaves: after each change the assignment is balanced, and every member that stayed
   * keeps as many of its partitions as its new share allows (nothing moves that balance does not need).
   */
  @Test
  void underRandomChurnOnlyWhatBalanceNeedsMoves() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    List<String> members = new ArrayList<>();
    int partitions = 1 + random.nextInt(24);
    String[] owners = new String[partitions];
    for (int step = 0, id = 0; step < 300; step++) {
      if (members.size() < 2 || (members.size() < 2 * partitions && random.nextBoolean())) {
        members.add("m" + id++);
      } else {
        members.remove(random.nextInt(members.size()));
      }
      String[] next = GroupAssignor.assign(List.copyOf(members), partitions, owners);
      Map<String, Long> counts = new HashMap<>();
      members.forEach(m -> counts.put(m, Arrays.stream(next).filter(m::equals).count()));
      String context = "seed " + seed + ", step " + step + ", members " + members + ", before "
          + Arrays.toString(owners) + ", after " + Arrays.toString(next);
      assertThat(next).as(context).doesNotContainNull();
      assertThat(Collections.max(counts.values()) - Collections.min(counts.values())).as(context).isLessThanOrEqualTo(1);
      for (String member : members) {
        long had = Arrays.stream(owners).filter(member::equals).count();
        long kept = IntStream.range(0, partitions).filter(p -> member.equals(owners[p]) && member.equals(next[p])).count();
        assertThat(kept).as("partitions %s kept; %s", member, context).isEqualTo(Math.min(had, counts.get(member)));
      }
      System.arraycopy(next, 0, owners, 0, partitions);
    }
  }
}
