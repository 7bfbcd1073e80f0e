package dev.fanout.trace;

import dev.fanout.outbox.KeptEvents;
import java.time.Instant;

/**
 * Where one event stands with one group, from what the app keeps. In order: a processed record makes it
 * {@code processed} ({@code replayed} when a replay of the group's dead letters handled it); else a
 * dead-lettering makes it {@code dead_lettered}; else an unsent outbox row {@code not_sent}; else a
 * committed offset past it {@code processed} (the group moved on); else failed attempts {@code retrying};
 * else {@code pending}. A pending or retrying event is {@code behind} records of its partition that the group
 * has still to handle before it.
 *
 * @param behind null unless pending or retrying
 */
record TraceStatus(String status, Long behind) {

  static final String NOT_SENT = "not_sent";
  static final String PENDING = "pending";
  static final String PROCESSED = "processed";
  static final String RETRYING = "retrying";
  static final String DEAD_LETTERED = "dead_lettered";
  static final String REPLAYED = "replayed";

  /**
   * @param processedAt when the group recorded it processed, or null
   * @param trouble     the group's trouble with it, or null
   * @param position    the next offset the group reads in the event's partition, or null when unknown
   */
  static TraceStatus of(KeptEvents.Kept event, Instant processedAt, KeptEvents.Trouble trouble, Long position) {
    if (processedAt != null) {
      return new TraceStatus(trouble != null && trouble.replayedAt() != null ? REPLAYED : PROCESSED, null);
    }
    if (trouble != null && trouble.deadLetteredAt() != null) {
      return new TraceStatus(DEAD_LETTERED, null);
    }
    if (event.sentAt() == null) {
      return new TraceStatus(NOT_SENT, null);
    }
    if (position != null && position > event.offset()) {
      return new TraceStatus(PROCESSED, null);
    }
    Long behind = position == null ? null : event.offset() - position;
    return new TraceStatus(trouble != null && trouble.attempts() > 0 ? RETRYING : PENDING, behind);
  }
}
