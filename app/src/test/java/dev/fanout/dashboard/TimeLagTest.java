package dev.fanout.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimeLagTest {

  // the log end grew by 10 records a second from offset 100 at t = 0 s
  private static final List<TimeLag.Point> STEADY = List.of(
      new TimeLag.Point(0, 100), new TimeLag.Point(1000, 110), new TimeLag.Point(2000, 120),
      new TimeLag.Point(3000, 130), new TimeLag.Point(4000, 140));

  @Test
  void aCaughtUpPartitionHasNoTimeLag() {
    assertThat(TimeLag.millis(STEADY, 140, 140, 4000)).isZero();
    assertThat(TimeLag.millis(List.of(), 5, 10, 4000)).isZero();
  }

  @Test
  void theAgeOfTheFirstUnhandledRecordIsInterpolatedBetweenSamples() {
    // offset 114 was appended when the log end went to 115: halfway from 1 s to 2 s
    assertThat(TimeLag.millis(STEADY, 114, 140, 4000)).isEqualTo(2500);
    // offset 119 appended as the log end reached 120 at 2 s
    assertThat(TimeLag.millis(STEADY, 119, 140, 4000)).isEqualTo(2000);
    // offset 120 appended a tenth of the way from 2 s to 3 s
    assertThat(TimeLag.millis(STEADY, 120, 140, 4000)).isEqualTo(1900);
  }

  @Test
  void aRecordAppendedAfterTheNewestSampleIsInterpolatedUpToNow() {
    // no sample after the log end passed 140: between the newest sample (4 s, 140) and now (5 s, 150)
    assertThat(TimeLag.millis(STEADY, 144, 150, 5000)).isEqualTo(500);
  }

  @Test
  void aRecordOlderThanTheHistoryGetsTheHistorysAgeAsALowerBound() {
    assertThat(TimeLag.millis(STEADY, 50, 140, 4000)).isEqualTo(4000);
    assertThat(TimeLag.millis(STEADY, 99, 140, 6000)).isEqualTo(6000);
  }

  @Test
  void aLogThatStoppedGrowingKeepsAgeingItsOldestRecord() {
    List<TimeLag.Point> burstThenQuiet = List.of(new TimeLag.Point(0, 0), new TimeLag.Point(1000, 50),
        new TimeLag.Point(2000, 50), new TimeLag.Point(3000, 50));
    // offsets 0..49 arrived between 0 s and 1 s; offset 10 at 0.22 s
    assertThat(TimeLag.millis(burstThenQuiet, 10, 50, 3000)).isEqualTo(2780);
    assertThat(TimeLag.millis(burstThenQuiet, 10, 50, 60_000)).isEqualTo(59_780);
  }
}
