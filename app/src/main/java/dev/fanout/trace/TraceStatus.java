package dev.fanout.trace;

/**
 * Where one event stands with one consumer group. Each status has a wire name, the {@code status} string
 * of a trace's JSON: a public contract, kept apart from the constant's Java name so that renaming one never
 * changes the other. {@link Standing#of} says which status applies.
 */
enum TraceStatus {

  /** The outbox row is not sent yet, and the group has not handled the event. */
  NOT_SENT("not_sent"),
  /** Sent, not handled, no failed attempt. */
  PENDING("pending"),
  /** Handled: the group recorded it processed. */
  PROCESSED("processed"),
  /** Sent, not handled, with failed attempts. */
  RETRYING("retrying"),
  /** Sent to the group's dead letters, and no replay handled it since. */
  DEAD_LETTERED("dead_lettered"),
  /** Handled by a replay of the group's dead letters. */
  REPLAYED("replayed"),
  /** Passed over on purpose while still in the stream (an offset reset forward): the group never handles it. */
  SKIPPED("skipped"),
  /**
   * The group's committed offset passed it without handling it: it left the stream's retention before the
   * group read it. The relay's leader sends it again shortly (or records it skipped).
   */
  LOST("lost");

  private final String wireName;

  TraceStatus(String wireName) {
    this.wireName = wireName;
  }

  /** The status as a trace's JSON spells it. */
  String wireName() {
    return wireName;
  }
}
