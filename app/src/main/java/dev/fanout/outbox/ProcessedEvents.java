package dev.fanout.outbox;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The {@code processed_events} table: which events each consumer group has handled. A group's dedupe
 * record, and what the outbox relay reads to re-send events a group has not handled.
 */
public final class ProcessedEvents {

  private static final String RECORD =
      "INSERT INTO processed_events (group_name, event_id) SELECT $1, unnest($2::uuid[]) "
          + "ON CONFLICT DO NOTHING RETURNING event_id";
  private static final String RECORDED =
      "SELECT event_id FROM processed_events WHERE group_name = $1 AND event_id = ANY($2::uuid[])";

  private ProcessedEvents() {
  }

  /**
   * Records {@code eventIds} as handled by {@code group}; run it inside the transaction of the effect to
   * make the effect happen once.
   *
   * @return the ids that were not recorded before
   */
  public static Future<Set<UUID>> record(SqlClient client, String group, List<UUID> eventIds) {
    // in one order for every batch: two batches recording some of the same ids at once wait on each other
    // instead of deadlocking
    UUID[] sorted = eventIds.stream().sorted().toArray(UUID[]::new);
    return client.preparedQuery(RECORD)
        .execute(Tuple.tuple().addString(group).addArrayOfUUID(sorted))
        .map(rows -> {
          Set<UUID> fresh = new HashSet<>();
          for (Row row : rows) {
            fresh.add(row.getUUID("event_id"));
          }
          return fresh;
        });
  }

  /**
   * Forgets everything {@code group} recorded: its processed records and its trouble with single events (a
   * group deleted for good, whose name may later start clean).
   */
  public static Future<Void> forgetGroup(SqlClient client, String group) {
    return client.preparedQuery("DELETE FROM processed_events WHERE group_name = $1").execute(Tuple.of(group))
        .compose(v -> client.preparedQuery("DELETE FROM event_attempts WHERE group_name = $1").execute(Tuple.of(group)))
        .mapEmpty();
  }

  /** Which of {@code eventIds} {@code group} has recorded as handled. */
  public static Future<Set<UUID>> recorded(SqlClient client, String group, List<UUID> eventIds) {
    return client.preparedQuery(RECORDED)
        .execute(Tuple.tuple().addString(group).addArrayOfUUID(eventIds.toArray(UUID[]::new)))
        .map(rows -> {
          Set<UUID> recorded = new HashSet<>();
          for (Row row : rows) {
            recorded.add(row.getUUID("event_id"));
          }
          return recorded;
        });
  }
}
