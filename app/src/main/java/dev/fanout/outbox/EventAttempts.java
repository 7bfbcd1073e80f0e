package dev.fanout.outbox;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * The {@code event_attempts} table: a consumer group's trouble with single events (failed attempts, the last
 * error, dead-lettering, replays), one row per group and event that had any. Its rows go with their outbox
 * row when the {@link OutboxPruner} deletes it.
 */
public final class EventAttempts {

  /** Longer errors are cut to this many characters. */
  public static final int MAX_ERROR_CHARS = 1000;

  private static final String FAILED =
      "INSERT INTO event_attempts (group_name, event_id, attempts, last_error, last_failed_at) "
          + "SELECT $1, unnest($2::uuid[]), 1, $3, now() ON CONFLICT (event_id, group_name) DO UPDATE "
          + "SET attempts = event_attempts.attempts + 1, last_error = excluded.last_error, "
          + "last_failed_at = excluded.last_failed_at";
  private static final String DEAD_LETTERED =
      "INSERT INTO event_attempts (group_name, event_id, attempts, last_error, last_failed_at, dead_lettered_at) "
          + "VALUES ($1, $2, $3, $4, now(), now()) ON CONFLICT (event_id, group_name) DO UPDATE "
          + "SET attempts = greatest(event_attempts.attempts, excluded.attempts), last_error = excluded.last_error, "
          + "last_failed_at = excluded.last_failed_at, dead_lettered_at = excluded.dead_lettered_at";
  private static final String REPLAYED =
      "INSERT INTO event_attempts (group_name, event_id, replayed_at) SELECT $1, unnest($2::uuid[]), now() "
          + "ON CONFLICT (event_id, group_name) DO UPDATE SET replayed_at = excluded.replayed_at";

  private EventAttempts() {
  }

  /** One more failed attempt of {@code group} at each of {@code eventIds}. */
  public static Future<Void> failed(SqlClient client, String group, List<UUID> eventIds, String error) {
    return client.preparedQuery(FAILED)
        .execute(Tuple.tuple().addString(group).addArrayOfUUID(distinct(eventIds)).addString(cut(error)))
        .mapEmpty();
  }

  /** {@code group} dead-lettered {@code eventId} after {@code attempts} tries (at least). */
  public static Future<Void> deadLettered(SqlClient client, String group, UUID eventId, int attempts, String error) {
    return client.preparedQuery(DEAD_LETTERED)
        .execute(Tuple.of(group, eventId, attempts, cut(error)))
        .mapEmpty();
  }

  /** A replay of {@code group}'s dead letters handled {@code eventIds}. */
  public static Future<Void> replayed(SqlClient client, String group, List<UUID> eventIds) {
    return client.preparedQuery(REPLAYED)
        .execute(Tuple.tuple().addString(group).addArrayOfUUID(distinct(eventIds)))
        .mapEmpty();
  }

  // one statement may not update a row twice
  private static UUID[] distinct(List<UUID> ids) {
    return new LinkedHashSet<>(ids).toArray(UUID[]::new);
  }

  private static String cut(String error) {
    return error == null || error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS);
  }
}
