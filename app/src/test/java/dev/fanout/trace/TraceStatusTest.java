package dev.fanout.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.outbox.KeptEvents;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The order in which what the app keeps decides an event's status with one group. */
class TraceStatusTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static KeptEvents.Kept sent(long offset) {
    return new KeptEvents.Kept(UUID.randomUUID(), "BlogPublished", "a", UUID.randomUUID(), 1, T0, T0.plusMillis(5), 0,
        offset, Map.of(), Map.of());
  }

  private static KeptEvents.Kept unsent() {
    return new KeptEvents.Kept(UUID.randomUUID(), "BlogPublished", "a", UUID.randomUUID(), 1, T0, null, null, null,
        Map.of(), Map.of());
  }

  private static KeptEvents.Trouble trouble(int attempts, Instant deadLettered, Instant replayed) {
    return new KeptEvents.Trouble(attempts, "SinkUnavailable: down", deadLettered, replayed);
  }

  @Test
  void waitingEventsArePendingBehindTheRecordsBeforeThem() {
    assertThat(TraceStatus.of(sent(12), null, null, 9L)).isEqualTo(new TraceStatus("pending", 3L));
    assertThat(TraceStatus.of(sent(12), null, null, 12L)).isEqualTo(new TraceStatus("pending", 0L));
    assertThat(TraceStatus.of(sent(12), null, null, null)).as("the group's position is unknown")
        .isEqualTo(new TraceStatus("pending", null));
  }

  @Test
  void failedAttemptsMakeItRetryingUntilItIsHandled() {
    assertThat(TraceStatus.of(sent(12), null, trouble(2, null, null), 12L)).isEqualTo(new TraceStatus("retrying", 0L));
    assertThat(TraceStatus.of(sent(12), T0, trouble(2, null, null), 13L)).isEqualTo(new TraceStatus("processed", null));
  }

  @Test
  void anUnsentEventIsNotSentUnlessAGroupAlreadyHandledIt() {
    assertThat(TraceStatus.of(unsent(), null, null, 40L)).isEqualTo(new TraceStatus("not_sent", null));
    // sent again by the relay (a retention gap, a repair): the group that handled it is done with it
    assertThat(TraceStatus.of(unsent(), T0, null, 40L)).isEqualTo(new TraceStatus("processed", null));
  }

  @Test
  void aGroupThatMovedPastItWithoutARecordHandledIt() {
    assertThat(TraceStatus.of(sent(12), null, null, 13L)).isEqualTo(new TraceStatus("processed", null));
  }

  @Test
  void deadLettersStayDeadLetteredUntilAReplayHandlesThem() {
    Instant dead = T0.plusSeconds(1);
    assertThat(TraceStatus.of(sent(12), null, trouble(3, dead, null), 13L)).isEqualTo(new TraceStatus("dead_lettered", null));
    // replayed, but it failed again: back in the dead letters
    assertThat(TraceStatus.of(sent(12), null, trouble(3, dead.plusSeconds(5), dead.plusSeconds(5)), 13L))
        .isEqualTo(new TraceStatus("dead_lettered", null));
    assertThat(TraceStatus.of(sent(12), dead.plusSeconds(5), trouble(3, dead, dead.plusSeconds(5)), 13L))
        .isEqualTo(new TraceStatus("replayed", null));
  }
}
