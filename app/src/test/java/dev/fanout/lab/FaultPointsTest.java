package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FaultPointsTest {

  @Test
  void faultsStrikeAtFixedPublishesAndNeverOnThePoison() {
    FaultPoints points = new FaultPoints(120, 20);
    assertThat(IntStream.range(0, 120).filter(points::crashesAfter).boxed().toList()).containsExactly(12, 37, 62, 87, 112);
    assertThat(points.crashes()).isEqualTo(5);
    assertThat(points.outageAt()).isEqualTo(40);
    assertThat(points.memberCrashAt()).isEqualTo(60);
    assertThat(points.poisonAt()).isEqualTo(30);
    assertThat(points.author(30, true)).isEqualTo(FaultPoints.POISON_AUTHOR);
    assertThat(points.author(30, false)).isEqualTo("lab-author-10");
    // 50 / 4 = 12 would be a crash point: the poison must reach the counter in every design
    FaultPoints fifty = new FaultPoints(50, 20);
    assertThat(fifty.poisonAt()).isEqualTo(12);
    assertThat(fifty.crashesAfter(12)).isFalse();
    assertThat(fifty.crashesAfter(37)).isTrue();
  }

  @Test
  void faultListsNameTheKnownFaults() {
    assertThat(LabFault.parseList("crash, outage,crash")).containsExactly(LabFault.CRASH, LabFault.OUTAGE);
    assertThat(LabFault.ALL.parts()).containsExactlyInAnyOrder(LabFault.CRASH, LabFault.OUTAGE, LabFault.FAIL_RATE,
        LabFault.MEMBER_CRASH, LabFault.POISON);
    assertThat(LabFault.NONE.parts()).isEmpty();
    assertThat(LabFault.DEFAULTS.stream().map(LabFault::cliName).toList())
        .isEqualTo(List.of("none", "crash", "outage", "fail-rate", "member-crash", "poison", "all"));
    assertThatThrownBy(() -> LabFault.parseList("crash,flood")).hasMessageContaining("'flood'")
        .hasMessageContaining("none, crash, outage, fail-rate, member-crash, poison, all");
    assertThatThrownBy(() -> LabFault.parseList(" , ")).hasMessageContaining("no fault named");
  }
}
