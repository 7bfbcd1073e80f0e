package dev.fanout.stream.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
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
}
