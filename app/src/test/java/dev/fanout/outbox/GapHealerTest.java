package dev.fanout.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which offsets a healing round looks at, and how many events it may send again: synchronously. */
class GapHealerTest {

  private static Map<String, Map<Integer, Long>> committed(long search, long counter) {
    Map<String, Map<Integer, Long>> committed = new HashMap<>();
    committed.put("search", Map.of(0, search));
    committed.put("counter", Map.of(0, counter));
    return committed;
  }

  @Test
  void onlyWhatFellOutOfTheLogBehindTheGroupIsLost() {
    // log start 100; search resumed at it and read 30 records; the counter is at the end
    GapHealer.Plan plan = GapHealer.plan("search", committed(130, 160), Map.of(0, 100L), Map.of(0, 160L), Map.of(), Map.of());
    assertThat(plan.lost()).containsExactly(new GapHealer.Window(0, 0, 100, 30));
    assertThat(plan.skipped()).containsExactly(new GapHealer.Window(0, 100, 130, 0));
  }

  @Test
  void nothingIsSentAgainWhileTheGroupIsStillBehindTheLogStart() {
    GapHealer.Plan plan = GapHealer.plan("search", committed(40, 160), Map.of(0, 100L), Map.of(0, 160L), Map.of(), Map.of());
    assertThat(plan.lost()).isEmpty();
    assertThat(plan.skipped()).isEmpty();
    // the same position just reached by the reset: no record read past the log start yet, so no room
    assertThat(GapHealer.plan("search", committed(100, 160), Map.of(0, 100L), Map.of(0, 160L), Map.of(), Map.of()).lost()).isEmpty();
  }

  @Test
  void theRoomIsWhatEveryGroupAtOrPastTheLogStartHasReadPastIt() {
    assertThat(GapHealer.room("search", 0, committed(130, 110), 100, 160)).isEqualTo(10);
    // a group still behind the log start has lost those records already: it does not hold the others back
    assertThat(GapHealer.room("search", 0, committed(130, 40), 100, 160)).isEqualTo(30);
    assertThat(GapHealer.room("search", 0, committed(40, 160), 100, 160)).isZero();
  }

  @Test
  void whenEveryGroupReadTheLogToItsEndAsManyAsItHoldsMayGo() {
    assertThat(GapHealer.room("search", 0, committed(260, 260), 100, 260)).isEqualTo(160);
    assertThat(GapHealer.room("search", 0, committed(100_000, 100_000), 0, 100_000)).isEqualTo(GapHealer.MAX_ROUND);
    // a log that holds few records (not full, or dropping by age) still takes a round
    assertThat(GapHealer.room("search", 0, committed(160, 160), 160, 160)).isEqualTo(GapHealer.CAUGHT_UP_ROUND);
  }

  @Test
  void behindTheStartOfAnEmptyLogEverythingBelowItIsLost() {
    // the log dropped everything by age: the group has no record to resume on, so no commit will come
    GapHealer.Plan plan = GapHealer.plan("search", committed(40, 160), Map.of(0, 160L), Map.of(0, 160L), Map.of(),
        Map.of());
    assertThat(plan.lost()).containsExactly(new GapHealer.Window(0, 0, 160, GapHealer.CAUGHT_UP_ROUND));
    assertThat(plan.skipped()).isEmpty();
  }

  @Test
  void whatWasLookedAtIsNotLookedAtAgainAndAGroupWithoutACommitIsLeftAlone() {
    GapHealer.Plan plan = GapHealer.plan("search", committed(130, 160), Map.of(0, 100L), Map.of(0, 160L), Map.of(0, 100L),
        Map.of(0, 125L));
    assertThat(plan.lost()).isEmpty();
    assertThat(plan.skipped()).containsExactly(new GapHealer.Window(0, 125, 130, 0));
    Map<String, Map<Integer, Long>> fresh = committed(-1, 160);
    assertThat(GapHealer.plan("search", fresh, Map.of(0, 100L), Map.of(0, 160L), Map.of(), Map.of()))
        .isEqualTo(new GapHealer.Plan(List.of(), List.of()));
  }
}
