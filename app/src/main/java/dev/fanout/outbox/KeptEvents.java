package dev.fanout.outbox;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the app keeps about single events, read in one statement: the outbox row (where the relay's send
 * landed), each group's processed record and its trouble ({@link EventAttempts}). Kept means not pruned
 * yet: see {@link OutboxPruner}.
 */
public final class KeptEvents {

  private static final String COLUMNS =
      "SELECT o.event_id, o.event_type, o.event_key, o.blog_id, "
          + "(convert_from(o.payload, 'UTF8')::jsonb ->> 'version')::int AS version, "
          + "o.created_at, o.sent_at, o.stream_partition, o.stream_offset, o.traceparent, "
          + "(SELECT coalesce(jsonb_object_agg(p.group_name, p.processed_at), '{}'::jsonb) FROM processed_events p "
          + "  WHERE p.group_name = ANY($2) AND p.event_id = o.event_id)::text AS processed, "
          + "(SELECT coalesce(jsonb_object_agg(a.group_name, jsonb_build_object('attempts', a.attempts, "
          + "  'lastError', a.last_error, 'deadLetteredAt', a.dead_lettered_at, 'replayedAt', a.replayed_at, "
          + "  'skippedAt', a.skipped_at)), "
          + "  '{}'::jsonb) FROM event_attempts a WHERE a.event_id = o.event_id)::text AS trouble "
          + "FROM outbox o ";
  private static final String BY_EVENT = COLUMNS + "WHERE o.event_id = $1";
  private static final String BY_BLOG = COLUMNS + "WHERE o.blog_id = $1 ORDER BY o.id DESC LIMIT $3";

  /**
   * One kept event.
   *
   * @param committedAt when the change that made it was written (its outbox row's time)
   * @param sentAt      when the relay's send was acknowledged; null while it is not sent (again)
   * @param partition   where the send landed; null while not sent
   * @param offset      where the send landed; null while not sent
   * @param processedAt per group, when it recorded the event as processed
   * @param trouble     per group, its trouble with the event (only groups that had any)
   * @param traceparent the W3C trace context of the request that made it; null when it was not traced
   */
  public record Kept(UUID eventId, String type, String authorId, UUID blogId, Integer version, Instant committedAt,
                     Instant sentAt, Integer partition, Long offset, Map<String, Instant> processedAt,
                     Map<String, Trouble> trouble, String traceparent) {
  }

  /**
   * A group's trouble with one event; times are null when it never happened.
   *
   * @param skippedAt when the relay's leader found that the group had passed over the event while it was still
   *                  in the stream (a reset forward), without handling it
   */
  public record Trouble(int attempts, String lastError, Instant deadLetteredAt, Instant replayedAt,
                        Instant skippedAt) {
  }

  private KeptEvents() {
  }

  /** The event, if it is kept. @param groups the groups whose processed records count */
  public static Future<Optional<Kept>> byEvent(SqlClient client, UUID eventId, List<String> groups) {
    return client.preparedQuery(BY_EVENT)
        .execute(Tuple.tuple().addUUID(eventId).addArrayOfString(groups.toArray(String[]::new)))
        .map(rows -> read(rows).stream().findFirst());
  }

  /** The blog's kept events, newest first, at most {@code limit}. */
  public static Future<List<Kept>> byBlog(SqlClient client, UUID blogId, List<String> groups, int limit) {
    return client.preparedQuery(BY_BLOG)
        .execute(Tuple.tuple().addUUID(blogId).addArrayOfString(groups.toArray(String[]::new)).addInteger(limit))
        .map(KeptEvents::read);
  }

  private static List<Kept> read(RowSet<Row> rows) {
    List<Kept> kept = new ArrayList<>(rows.size());
    for (Row row : rows) {
      boolean sent = row.getOffsetDateTime("sent_at") != null;
      Map<String, Instant> processed = new HashMap<>();
      new JsonObject(row.getString("processed")).forEach(e -> processed.put(e.getKey(), instant(e.getValue())));
      Map<String, Trouble> trouble = new HashMap<>();
      new JsonObject(row.getString("trouble")).forEach(e -> {
        JsonObject t = (JsonObject) e.getValue();
        trouble.put(e.getKey(), new Trouble(t.getInteger("attempts", 0), t.getString("lastError"),
            instant(t.getValue("deadLetteredAt")), instant(t.getValue("replayedAt")),
            instant(t.getValue("skippedAt"))));
      });
      kept.add(new Kept(row.getUUID("event_id"), row.getString("event_type"), row.getString("event_key"),
          row.getUUID("blog_id"), row.getInteger("version"), instant(row.getOffsetDateTime("created_at")),
          instant(row.getOffsetDateTime("sent_at")), sent ? row.getInteger("stream_partition") : null,
          sent ? row.getLong("stream_offset") : null, processed, trouble, row.getString("traceparent")));
    }
    return kept;
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  // jsonb renders a timestamptz as ISO 8601 with its offset
  private static Instant instant(Object json) {
    return json == null ? null : OffsetDateTime.parse(json.toString()).toInstant();
  }

  private static final String HOLDS_OLDER =
      "SELECT EXISTS (SELECT 1 FROM outbox o WHERE o.created_at >= $2 AND o.created_at < $3 AND o.sent_at IS NOT NULL "
          + "AND NOT EXISTS (SELECT 1 FROM processed_events p WHERE p.group_name = $1 AND p.event_id = o.event_id) "
          + "AND NOT EXISTS (SELECT 1 FROM event_attempts a WHERE a.group_name = $1 AND a.event_id = o.event_id "
          + "  AND a.skipped_at IS NOT NULL)) AS holds";

  /**
   * Whether {@code group} holds an event committed before {@code before}: one it is owed (committed at or after
   * {@code owedFrom}), that was sent and that it has neither processed nor skipped (a dead letter holds it
   * too), so that the pruner keeps it for the group.
   */
  public static Future<Boolean> holdsOlderThan(SqlClient client, String group, Instant owedFrom, Instant before) {
    return client.preparedQuery(HOLDS_OLDER)
        .execute(Tuple.of(group, owedFrom.atOffset(java.time.ZoneOffset.UTC), before.atOffset(java.time.ZoneOffset.UTC)))
        .map(rows -> rows.iterator().next().getBoolean("holds"));
  }
}
