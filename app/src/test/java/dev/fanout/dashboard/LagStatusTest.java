package dev.fanout.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LagStatusTest {

  /** One partition (0) over time: positions and log ends per second, owned and not paused. */
  private static List<GroupSample> partition(long[] positions, long[] logEnds) {
    return partition(positions, logEnds, true, false);
  }

  private static List<GroupSample> partition(long[] positions, long[] logEnds, boolean owned, boolean paused) {
    List<GroupSample> samples = new ArrayList<>();
    for (int i = 0; i < positions.length; i++) {
      samples.add(new GroupSample(i * 1000L, Map.of(0, new GroupSample.Offsets(positions[i], logEnds[i])),
          owned ? Set.of(0) : Set.of(), paused, 0));
    }
    return samples;
  }

  private static long[] steps(long from, long step, int n) {
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      values[i] = from + step * i;
    }
    return values;
  }

  @Test
  void aGroupKeepingUpWithASteadyLoadIsOkAlthoughItsLagIsNeverZero() {
    // 20 records a second arrive; the group is always 1 to 4 records behind
    long[] logEnds = steps(1000, 20, 10);
    long[] positions = new long[10];
    long[] behind = {3, 1, 4, 2, 2, 3, 1, 4, 1, 2};
    for (int i = 0; i < 10; i++) {
      positions[i] = logEnds[i] - behind[i];
    }
    assertThat(LagStatus.ofPartition(partition(positions, logEnds), 0)).isEqualTo(LagStatus.OK);
    // even with the same small lag at every sample
    assertThat(LagStatus.ofPartition(partition(steps(997, 20, 10), logEnds), 0)).isEqualTo(LagStatus.OK);
  }

  @Test
  void aCommittedOffsetThatDoesNotMoveWhileLagGrowsIsAStall() {
    long[] positions = steps(500, 0, 10);
    assertThat(LagStatus.ofPartition(partition(positions, steps(520, 20, 10)), 0)).isEqualTo(LagStatus.STALL);
    // also when no new records arrive: lag > 0 and nothing is committed
    assertThat(LagStatus.ofPartition(partition(positions, steps(600, 0, 10)), 0)).isEqualTo(LagStatus.STALL);
  }

  @Test
  void aPartitionNobodyReadsIsStopped() {
    long[] positions = steps(500, 0, 10);
    long[] logEnds = steps(520, 20, 10);
    assertThat(LagStatus.ofPartition(partition(positions, logEnds, false, false), 0)).isEqualTo(LagStatus.STOP);
    assertThat(LagStatus.ofPartition(partition(positions, logEnds, true, true), 0)).isEqualTo(LagStatus.STOP);
  }

  @Test
  void aGroupThatMovesButFallsBehindWarns() {
    // 20 records a second arrive, 15 are committed
    assertThat(LagStatus.ofPartition(partition(steps(0, 15, 10), steps(100, 20, 10)), 0)).isEqualTo(LagStatus.WARN);
  }

  @Test
  void aGroupDrainingItsLagIsOk() {
    // far behind but catching up: 50 committed a second against 20 arriving
    assertThat(LagStatus.ofPartition(partition(steps(0, 50, 10), steps(5000, 20, 10)), 0)).isEqualTo(LagStatus.OK);
  }

  @Test
  void aCommittedOffsetMovingBackwardsIsAnError() {
    long[] positions = {100, 110, 120, 5, 15, 25, 35, 45, 55, 65};
    assertThat(LagStatus.ofPartition(partition(positions, steps(130, 10, 10)), 0)).isEqualTo(LagStatus.ERR);
  }

  @Test
  void idleOrYoungPartitionsAreOk() {
    assertThat(LagStatus.ofPartition(partition(steps(40, 0, 10), steps(40, 0, 10)), 0)).isEqualTo(LagStatus.OK);
    assertThat(LagStatus.ofPartition(partition(new long[] {0}, new long[] {500}), 0)).isEqualTo(LagStatus.OK);
  }

  @Test
  void aGroupTakesItsWorstPartitionsStatus() {
    List<GroupSample> window = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      window.add(new GroupSample(i * 1000L, Map.of(
          0, new GroupSample.Offsets(100 + 10L * i, 100 + 10L * i),
          1, new GroupSample.Offsets(7, 50 + 10L * i)), Set.of(0, 1), false, 0));
    }
    assertThat(LagStatus.ofGroup(window)).isEqualTo(LagStatus.STALL);
    assertThat(LagStatus.ofGroup(List.of())).isEqualTo(LagStatus.OK);
  }

  @Test
  void anOpenCircuitWithRecordsWaitingIsOpenHoweverRecentlyTheLagWasZero() {
    // caught up until a record arrived while the sink's circuit was open
    List<GroupSample> window = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      window.add(new GroupSample(i * 1000L, Map.of(0, new GroupSample.Offsets(10, i < 3 ? 10 : 11),
          1, new GroupSample.Offsets(7, 7)), Set.of(0, 1), false, 0, i >= 3));
    }
    assertThat(LagStatus.ofPartition(window, 0)).isEqualTo(LagStatus.OPEN);
    assertThat(LagStatus.ofPartition(window, 1)).as("nothing waits on it").isEqualTo(LagStatus.OK);
    assertThat(LagStatus.ofGroup(window)).isEqualTo(LagStatus.OPEN);
    // even in the first sample
    assertThat(LagStatus.ofPartition(window.subList(4, 5), 0)).isEqualTo(LagStatus.OPEN);
    // the circuit closed again: the window's own rules
    window.add(new GroupSample(5000L, Map.of(0, new GroupSample.Offsets(10, 11), 1, new GroupSample.Offsets(7, 7)),
        Set.of(0, 1), false, 0, false));
    assertThat(LagStatus.ofPartition(window, 0)).isEqualTo(LagStatus.OK);
    // a rewind is still an error; an open circuit ranks above a stall, below a stop
    assertThat(LagStatus.OPEN).isGreaterThan(LagStatus.STALL).isLessThan(LagStatus.STOP);
    List<GroupSample> rewound = new ArrayList<>();
    rewound.add(new GroupSample(0L, Map.of(0, new GroupSample.Offsets(20, 30)), Set.of(0), false, 0, true));
    rewound.add(new GroupSample(1000L, Map.of(0, new GroupSample.Offsets(5, 30)), Set.of(0), false, 0, true));
    assertThat(LagStatus.ofPartition(rewound, 0)).isEqualTo(LagStatus.ERR);
  }

  @Test
  void theEtaIsTheLagOverTheNetDrainRateAndNullWhenNotDraining() {
    List<GroupSample> draining = partition(steps(0, 50, 5), steps(1000, 20, 5));
    // lag 1000 -> 880 over 4 s: 30 a second; 880 left
    assertThat(GroupRates.of(draining).etaSeconds()).isEqualTo(30L);
    assertThat(GroupRates.of(draining).consumedPerSecond()).isEqualTo(50.0);
    assertThat(GroupRates.of(draining).producedPerSecond()).isEqualTo(20.0);
    assertThat(GroupRates.of(partition(steps(0, 0, 5), steps(100, 20, 5))).etaSeconds()).isNull();
    assertThat(GroupRates.of(partition(steps(100, 20, 5), steps(100, 20, 5))).etaSeconds()).isZero();
  }
}
