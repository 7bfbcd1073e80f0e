package dev.fanout.outbox;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Since when each consumer group is owed events: a group owes the events committed from its start on, not
 * all of history. The built-in groups are owed everything; a subscription created {@code latest} is owed
 * nothing committed before it, and an expired one nothing at all. The relay sends again, gap healing
 * records as lost or skipped, and the pruner keeps, for a group only what it is owed.
 */
@FunctionalInterface
public interface OwedFrom {

  /** Every group is owed every event. */
  OwedFrom ALWAYS = group -> Instant.EPOCH;

  /** Far enough ahead to mean "owed nothing" in a timestamptz. */
  Instant NOTHING = Instant.parse("9999-01-01T00:00:00Z");

  /** Events committed at or after this are owed to {@code group}; never null. */
  Instant of(String group);

  /** The same for each of {@code groups}, in order, as SQL parameters. */
  default OffsetDateTime[] all(List<String> groups) {
    OffsetDateTime[] since = new OffsetDateTime[groups.size()];
    for (int i = 0; i < since.length; i++) {
      since[i] = of(groups.get(i)).atOffset(ZoneOffset.UTC);
    }
    return since;
  }
}
