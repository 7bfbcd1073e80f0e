package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupMember;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** What every {@link GroupDescription} must satisfy, and views of one for assertions. Stateless. */
final class GroupSnapshots {

  private GroupSnapshots() {
  }

  /**
   * The invariants every snapshot keeps, whatever the group is doing: it describes the group and topic
   * asked for, lists each partition once, reports {@code lag == logEnd - committed} (or at most the log
   * when nothing is committed) and gives each partition at most one owner.
   *
   * @return a description of each breach; empty when there is none
   */
  static List<String> breaches(GroupDescription description, String group, String topic, int partitions) {
    List<String> problems = new ArrayList<>();
    if (!group.equals(description.group())) {
      problems.add("group is " + description.group());
    }
    if (!topic.equals(description.topic())) {
      problems.add("topic is " + description.topic());
    }
    List<Integer> numbers = description.partitions().stream().map(GroupDescription.PartitionLag::partition)
        .sorted().toList();
    if (!numbers.equals(IntStream.range(0, partitions).boxed().toList())) {
      problems.add("partitions are " + numbers);
    }
    for (GroupDescription.PartitionLag lag : description.partitions()) {
      boolean consistent = lag.committed() >= 0
          ? lag.committed() <= lag.logEnd() && lag.lag() == lag.logEnd() - lag.committed()
          : lag.committed() == -1 && lag.lag() >= 0 && lag.lag() <= lag.logEnd();
      if (!consistent) {
        problems.add("partition " + lag.partition() + " has committed " + lag.committed() + ", log end "
            + lag.logEnd() + ", lag " + lag.lag());
      }
    }
    List<Integer> owned = new ArrayList<>();
    description.members().forEach(member -> owned.addAll(member.partitions()));
    if (owned.size() != new HashSet<>(owned).size()) {
      problems.add("a partition has two owners");
    }
    if (owned.stream().anyMatch(p -> p < 0 || p >= partitions)) {
      problems.add("a member owns a partition the topic does not have");
    }
    return problems;
  }

  /**
   * Checks that every partition has exactly one owner among {@code members}, that {@code idle} of them
   * own none, and that each member's own view of its assignment matches the group's.
   */
  static void assertBalanced(GroupDescription description, Map<String, GroupMember> members, int idle) {
    assertThat(description.members()).extracting(GroupDescription.Member::memberId).as("member ids")
        .containsExactlyInAnyOrderElementsOf(members.values().stream().map(GroupMember::memberId).toList());
    assertThat(description.members().stream().filter(GroupDescription.Member::idle).count()).as("idle members")
        .isEqualTo(idle);
    assertThat(ownedPartitions(description)).as("owned partitions").hasSize(description.partitions().size());
    for (GroupMember member : members.values()) {
      assertThat(member.assignment()).as("assignment of %s", member.memberId())
          .isEqualTo(partitionsOf(description, member.memberId()));
    }
  }

  static Set<Integer> ownedPartitions(GroupDescription description) {
    return description.members().stream().flatMap(m -> m.partitions().stream()).collect(Collectors.toSet());
  }

  static Set<Integer> partitionsOf(GroupDescription description, String memberId) {
    return description.members().stream().filter(m -> m.memberId().equals(memberId))
        .flatMap(m -> m.partitions().stream()).collect(Collectors.toSet());
  }

  static Map<Integer, Long> committedOffsets(GroupDescription description) {
    Map<Integer, Long> offsets = new TreeMap<>();
    description.partitions().forEach(lag -> offsets.put(lag.partition(), lag.committed()));
    return offsets;
  }

  static Map<Integer, Long> logEndOffsets(GroupDescription description) {
    Map<Integer, Long> offsets = new TreeMap<>();
    description.partitions().forEach(lag -> offsets.put(lag.partition(), lag.logEnd()));
    return offsets;
  }
}
