package dev.fanout.trace;

import dev.fanout.outbox.KeptEvents;
import java.time.Instant;

/**
 * Where one event stands with one group, from what the app keeps. In order: a processed record makes it
 * {@link TraceStatus#PROCESSED} ({@link TraceStatus#REPLAYED} when a replay of the group's dead letters
 * handled it); else a dead-lettering makes it {@link TraceStatus#DEAD_LETTERED}; else a skip record
 * {@link TraceStatus#SKIPPED}; else an unsent outbox row {@link TraceStatus#NOT_SENT}; else a committed
 * offset past it {@link TraceStatus#LOST} (a group commits past an event only after recording it, so it moved
 * past without handling it: it left the log first); else failed attempts {@link TraceStatus#RETRYING}; else
 * {@link TraceStatus#PENDING}. A pending or retrying event is {@code behind} records of its partition that
 * the group has still to handle before it. Only a processed record ever makes an event processed.
 *
 * @param behind null unless pending or retrying
 */
record Standing(TraceStatus status, Long behind) {

  /**
   * @param processedAt when the group recorded it processed, or null
   * @param trouble     the group's trouble with it, or null
   * @param position    the next offset the group reads in the event's partition, or null when unknown
   * @param owedFrom    the group is owed the events committed from then on (a subscription's start); one
   *                    committed before, it never handled, is {@link TraceStatus#SKIPPED}
   */
  static Standing of(KeptEvents.Kept event, Instant processedAt, KeptEvents.Trouble trouble, Long position,
                     Instant owedFrom) {
    if (processedAt != null) {
      return new Standing(trouble != null && trouble.replayedAt() != null ? TraceStatus.REPLAYED
          : TraceStatus.PROCESSED, null);
    }
    if (trouble != null && trouble.deadLetteredAt() != null) {
      return new Standing(TraceStatus.DEAD_LETTERED, null);
    }
    if (trouble != null && trouble.skippedAt() != null
        || owedFrom != null && event.committedAt() != null && event.committedAt().isBefore(owedFrom)) {
      return new Standing(TraceStatus.SKIPPED, null);
    }
    if (event.sentAt() == null) {
      return new Standing(TraceStatus.NOT_SENT, null);
    }
    if (position != null && position > event.offset()) {
      return new Standing(TraceStatus.LOST, null);
    }
    Long behind = position == null ? null : event.offset() - position;
    return new Standing(trouble != null && trouble.attempts() > 0 ? TraceStatus.RETRYING : TraceStatus.PENDING,
        behind);
  }
}
