package dev.fanout.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.outbox.KeptEvents;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The order in which what the app keeps decides an event's status with one group, and how statuses are spelled. */
class TraceStatusTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static KeptEvents.Kept sent(long offset) {
    return new KeptEvents.Kept(UUID.randomUUID(), "BlogPublished", "a", UUID.randomUUID(), 1, T0, T0.plusMillis(5), 0,
        offset, Map.of(), Map.of(), null);
  }

  private static KeptEvents.Kept unsent() {
    return new KeptEvents.Kept(UUID.randomUUID(), "BlogPublished", "a", UUID.randomUUID(), 1, T0, null, null, null,
        Map.of(), Map.of(), null);
  }

  private static KeptEvents.Trouble trouble(int attempts, Instant deadLettered, Instant replayed) {
    return new KeptEvents.Trouble(attempts, "SinkUnavailable: down", deadLettered, replayed, null);
  }

  private static KeptEvents.Trouble skipped(Instant at) {
    return new KeptEvents.Trouble(0, null, null, null, at);
  }

  @Test
  void aKeptTraceparentNamesItsTraceAndWhetherItWasSampled() {
    String sampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    assertThat(EventTraces.traceId(sampled)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(EventTraces.sampled(sampled)).isTrue();
    assertThat(EventTraces.sampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")).isFalse();
    assertThat(EventTraces.traceId(null)).isNull();
    assertThat(EventTraces.sampled(null)).isNull();
    assertThat(EventTraces.traceId("junk")).as("a malformed one names nothing").isNull();
  }

  @Test
  void waitingEventsArePendingBehindTheRecordsBeforeThem() {
    assertThat(Standing.of(sent(12), null, null, 9L, Instant.EPOCH)).isEqualTo(new Standing(TraceStatus.PENDING, 3L));
    assertThat(Standing.of(sent(12), null, null, 12L, Instant.EPOCH)).isEqualTo(new Standing(TraceStatus.PENDING, 0L));
    assertThat(Standing.of(sent(12), null, null, null, Instant.EPOCH)).as("the group's position is unknown")
        .isEqualTo(new Standing(TraceStatus.PENDING, null));
  }

  @Test
  void failedAttemptsMakeItRetryingUntilItIsHandled() {
    assertThat(Standing.of(sent(12), null, trouble(2, null, null), 12L, Instant.EPOCH))
        .isEqualTo(new Standing(TraceStatus.RETRYING, 0L));
    assertThat(Standing.of(sent(12), T0, trouble(2, null, null), 13L, Instant.EPOCH))
        .isEqualTo(new Standing(TraceStatus.PROCESSED, null));
  }

  @Test
  void anUnsentEventIsNotSentUnlessAGroupAlreadyHandledIt() {
    assertThat(Standing.of(unsent(), null, null, 40L, Instant.EPOCH)).isEqualTo(new Standing(TraceStatus.NOT_SENT, null));
    // sent again by the relay (a retention gap, a repair): the group that handled it is done with it
    assertThat(Standing.of(unsent(), T0, null, 40L, Instant.EPOCH)).isEqualTo(new Standing(TraceStatus.PROCESSED, null));
  }

  @Test
  void aGroupThatMovedPastItWithoutARecordLostItAndNeverProcessedIt() {
    // it commits past an event only after recording it: passed without a record, the event left the log first
    assertThat(Standing.of(sent(12), null, null, 13L, Instant.EPOCH)).isEqualTo(new Standing(TraceStatus.LOST, null));
    // sent again for the gap, it waits its turn like any other
    assertThat(Standing.of(sent(40), null, null, 13L, Instant.EPOCH)).isEqualTo(new Standing(TraceStatus.PENDING, 27L));
  }

  @Test
  void anEventPassedOverOnPurposeIsSkippedUnlessTheGroupHandledItAnyway() {
    Instant at = T0.plusSeconds(2);
    assertThat(Standing.of(sent(12), null, skipped(at), 13L, Instant.EPOCH)).isEqualTo(new Standing(TraceStatus.SKIPPED, null));
    assertThat(Standing.of(unsent(), null, skipped(at), 13L, Instant.EPOCH)).isEqualTo(new Standing(TraceStatus.SKIPPED, null));
    assertThat(Standing.of(sent(12), at, skipped(at), 13L, Instant.EPOCH)).isEqualTo(new Standing(TraceStatus.PROCESSED, null));
  }

  @Test
  void deadLettersStayDeadLetteredUntilAReplayHandlesThem() {
    Instant dead = T0.plusSeconds(1);
    assertThat(Standing.of(sent(12), null, trouble(3, dead, null), 13L, Instant.EPOCH))
        .isEqualTo(new Standing(TraceStatus.DEAD_LETTERED, null));
    // replayed, but it failed again: back in the dead letters
    assertThat(Standing.of(sent(12), null, trouble(3, dead.plusSeconds(5), dead.plusSeconds(5)), 13L, Instant.EPOCH))
        .isEqualTo(new Standing(TraceStatus.DEAD_LETTERED, null));
    assertThat(Standing.of(sent(12), dead.plusSeconds(5), trouble(3, dead, dead.plusSeconds(5)), 13L, Instant.EPOCH))
        .isEqualTo(new Standing(TraceStatus.REPLAYED, null));
  }

  @Test
  void statusesKeepTheirWireNames() {
    assertThat(Arrays.stream(TraceStatus.values()).map(TraceStatus::wireName))
        .containsExactly("not_sent", "pending", "processed", "retrying", "dead_lettered", "replayed", "skipped",
            "lost");
  }

  @Test
  void anEventCommittedBeforeTheGroupWasOwedEventsIsSkipped() {
    Instant owedFrom = sent(12).committedAt().plusSeconds(1);
    assertThat(Standing.of(sent(12), null, null, 13L, owedFrom)).isEqualTo(new Standing(TraceStatus.SKIPPED, null));
    assertThat(Standing.of(sent(12), null, null, 9L, owedFrom)).as("even while the group has not reached it")
        .isEqualTo(new Standing(TraceStatus.SKIPPED, null));
    assertThat(Standing.of(sent(12), T0, null, 13L, owedFrom)).as("a processed record wins")
        .isEqualTo(new Standing(TraceStatus.PROCESSED, null));
  }
}
