package dev.fanout.outbox;

import dev.fanout.events.BlogEvent;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code outbox} table: every blog change appends exactly one event row in the transaction of the
 * change, so the event exists if and only if the change does; the {@link OutboxRelay} moves unsent rows
 * to the stream. This class holds the SQL that writers and the audit run on the table; the relay keeps
 * its own reads and marks.
 *
 * <p>Every method runs its statements on the client it is given (a connection inside the caller's
 * transaction, or a pool) and returns at once.
 */
public final class Outbox {

  /** The NOTIFY channel the relay listens on: a notification means "new unsent rows". */
  public static final String CHANNEL = "fanout_outbox";

  private static final String INSERT =
      "INSERT INTO outbox (event_id, event_type, event_key, blog_id, payload, traceparent) "
          + "VALUES ($1, $2, $3, $4, $5, $6)";
  private static final String INSERT_ALL =
      "INSERT INTO outbox (event_id, event_type, event_key, blog_id, payload, traceparent) "
          + "SELECT i, t, k, b, p, c FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::bytea[], "
          + "$6::text[]) WITH ORDINALITY AS e(i, t, k, b, p, c, n) "
          + "ORDER BY n";
  private static final String NOTIFY = "SELECT pg_notify($1, '')";
  private static final String UNSEND_BLOG_EVENTS =
      "UPDATE outbox o SET sent_at = NULL WHERE o.blog_id = ANY($2::text[]::uuid[]) AND o.event_key = ANY($1) "
          + "RETURNING o.event_id, o.blog_id::text AS blog_id, "
          + "(convert_from(o.payload, 'UTF8')::jsonb ->> 'version')::int AS version";
  private static final String UNSEND_UNPROCESSED =
      "UPDATE outbox o SET sent_at = NULL WHERE o.event_key = ANY($1) AND NOT EXISTS (SELECT 1 FROM processed_events p "
          + "WHERE p.group_name = $2 AND p.event_id = o.event_id) RETURNING o.event_id, o.event_key, o.event_type, "
          + "o.blog_id::text AS blog_id, (convert_from(o.payload, 'UTF8')::jsonb ->> 'version')::int AS version";

  /** An event marked unsent again: its id, its blog and version, and (from unsendUnprocessed) its key and type. */
  public record Unsent(UUID eventId, String blogId, int version, String key, String type) {
  }

  private Outbox() {
  }

  /** Appends {@code event}; the transaction notifies the relay when it commits. */
  public static Future<Void> append(SqlClient client, BlogEvent event) {
    return append(client, event, true);
  }

  /**
   * Appends {@code event}; with {@code notify} the transaction notifies the relay when it commits, else the
   * caller wakes it after the commit (see {@link RelaySignal}).
   */
  public static Future<Void> append(SqlClient client, BlogEvent event, boolean notify) {
    return append(client, event, notify, null);
  }

  /**
   * Appends {@code event} as {@link #append(SqlClient, BlogEvent, boolean)} does, with the W3C trace context
   * of the request that made it ({@code traceparent}, null for none), which the relay sends with the event.
   */
  public static Future<Void> append(SqlClient client, BlogEvent event, boolean notify, String traceparent) {
    Future<Void> inserted = client.preparedQuery(INSERT)
        .execute(Tuple.of(event.eventId(), event.type().name(), event.authorId(), event.blogId(),
            Buffer.buffer(event.encode()), traceparent))
        .mapEmpty();
    return notify ? inserted.compose(v -> wakeRelay(client)) : inserted;
  }

  /**
   * Appends {@code events} in one statement, in list order (their ids follow it); with {@code notify} the
   * transaction notifies the relay when it commits, else the caller wakes it after the commit.
   */
  public static Future<Void> appendAll(SqlClient client, List<BlogEvent> events, boolean notify) {
    return appendAll(client, events, new String[events.size()], notify);
  }

  /**
   * Appends {@code events} as {@link #appendAll(SqlClient, List, boolean)} does, each with the W3C trace
   * context of the request that made it ({@code traceparents}, in the same order; null entries for none).
   */
  public static Future<Void> appendAll(SqlClient client, List<BlogEvent> events, String[] traceparents,
                                       boolean notify) {
    UUID[] ids = new UUID[events.size()];
    String[] types = new String[events.size()];
    String[] keys = new String[events.size()];
    UUID[] blogs = new UUID[events.size()];
    Buffer[] payloads = new Buffer[events.size()];
    for (int i = 0; i < events.size(); i++) {
      BlogEvent event = events.get(i);
      ids[i] = event.eventId();
      types[i] = event.type().name();
      keys[i] = event.authorId();
      blogs[i] = event.blogId();
      payloads[i] = Buffer.buffer(event.encode());
    }
    Future<Void> inserted = client.preparedQuery(INSERT_ALL)
        .execute(Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(types).addArrayOfString(keys)
            .addArrayOfUUID(blogs).addArrayOfBuffer(payloads).addArrayOfString(traceparents))
        .mapEmpty();
    return notify ? inserted.compose(v -> wakeRelay(client)) : inserted;
  }

  /** Wakes the relay (at commit, when run inside a transaction). */
  public static Future<Void> wakeRelay(SqlClient client) {
    return client.preparedQuery(NOTIFY).execute(Tuple.of(CHANNEL)).mapEmpty();
  }

  /**
   * Marks unsent again every event of the given blogs (whose authors are {@code authors}); the relay sends
   * them again in id order. Each answer carries its blog id and version.
   */
  public static Future<List<Unsent>> unsendBlogEvents(SqlClient client, String[] authors, String[] blogIds) {
    return client.preparedQuery(UNSEND_BLOG_EVENTS)
        .execute(Tuple.tuple().addArrayOfString(authors).addArrayOfString(blogIds))
        .map(rows -> {
          List<Unsent> unsent = new ArrayList<>();
          for (Row row : rows) {
            unsent.add(new Unsent(row.getUUID("event_id"), row.getString("blog_id"), row.getInteger("version"),
                null, null));
          }
          return unsent;
        });
  }

  /**
   * Marks unsent again the events of {@code authors} that {@code group} has not recorded as processed.
   * Each answer carries its blog, version, key (the author) and type.
   */
  public static Future<List<Unsent>> unsendUnprocessed(SqlClient client, String[] authors, String group) {
    return client.preparedQuery(UNSEND_UNPROCESSED)
        .execute(Tuple.tuple().addArrayOfString(authors).addString(group))
        .map(rows -> {
          List<Unsent> unsent = new ArrayList<>();
          for (Row row : rows) {
            unsent.add(new Unsent(row.getUUID("event_id"), row.getString("blog_id"), row.getInteger("version"),
                row.getString("event_key"), row.getString("event_type")));
          }
          return unsent;
        });
  }
}
