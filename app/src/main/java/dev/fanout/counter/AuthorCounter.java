package dev.fanout.counter;

import dev.fanout.consumer.GroupSink;
import dev.fanout.consumer.ResiliencePolicy;
import dev.fanout.db.StatementTimeout;
import dev.fanout.events.BlogEvent;
import dev.fanout.outbox.ProcessedEvents;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Keeps {@code author_stats.blog_count}, each author's live blogs, whatever order events arrive in.
 *
 * <p>Per blog, {@code counted_blogs} holds the newest version the counter applied and whether the blog was
 * live at it (BlogPublished and BlogUpdated: live; BlogDeleted: not). An event applies only when its
 * version is newer than that, and moves its author's count by the difference in liveness; an older event
 * (a publish that gap healing, a dead-letter replay or an audit repair brings back after the delete)
 * changes nothing. So any delivery of a blog's events, in any order and with any repeats, ends at the
 * count its newest event says.
 *
 * <p>In one transaction a batch records its event ids in {@code processed_events} and applies only those
 * ids that were new; it runs two statements whatever its size.
 */
public final class AuthorCounter implements GroupSink {

  /** The consumer group, and the name its dedupe rows carry. */
  public static final String GROUP = "counter";

  /**
   * Applies the newest fresh event of each blog, in blog order, and moves the authors' counts, in author
   * order, by what the applied ones changed. A version that is not newer leaves its row alone and is not
   * returned. The count a new author starts with is never negative (its blogs were never counted live);
   * the check constraint judges it before the conflict, hence the greatest.
   */
  private static final String APPLY =
      "WITH applied AS ("
          + "INSERT INTO counted_blogs AS c (blog_id, author_id, version, live, last_change) "
          + "SELECT t.blog_id, t.author_id, t.version, t.live, t.live::int "
          + "FROM unnest($1::uuid[], $2::text[], $3::int[], $4::bool[]) AS t(blog_id, author_id, version, live) "
          + "ON CONFLICT (blog_id) DO UPDATE SET version = excluded.version, live = excluded.live, "
          + "last_change = excluded.live::int - c.live::int WHERE c.version < excluded.version "
          + "RETURNING c.author_id, c.last_change), "
          + "deltas AS (SELECT author_id, sum(last_change)::bigint AS delta FROM applied GROUP BY author_id) "
          + "INSERT INTO author_stats AS s (author_id, blog_count) "
          + "SELECT author_id, greatest(delta, 0) FROM deltas ORDER BY author_id "
          + "ON CONFLICT (author_id) DO UPDATE "
          + "SET blog_count = s.blog_count + (SELECT d.delta FROM deltas d WHERE d.author_id = excluded.author_id)";
  private static final String APPLIED =
      "SELECT blog_id, version, live FROM counted_blogs WHERE blog_id = ANY($1::uuid[])";
  private static final String READ_COUNT = "SELECT blog_count FROM author_stats WHERE author_id = $1";
  private static final String COUNTS =
      "SELECT author_id, blog_count FROM author_stats WHERE author_id > $1 ORDER BY author_id LIMIT $2";

  private final Pool pool;
  private final long statementTimeoutMillis;

  /** An event as the counter would judge it: its blog, the blog's author, its version and its type. */
  public record Pending(UUID blogId, String authorId, int version, BlogEvent.Type type) {
  }

  /** A counter whose transactions' statements are bounded by the default sink timeout. */
  public AuthorCounter(Pool pool) {
    this(pool, ResiliencePolicy.DEFAULT_SINK_TIMEOUT_MILLIS);
  }

  /**
   * @param statementTimeoutMillis the longest any statement of {@link #apply}'s transaction may run (a lock
   *                               wait included); the group's sink timeout, so that a call given up on
   *                               also ends in PostgreSQL and frees its connection
   */
  public AuthorCounter(Pool pool, long statementTimeoutMillis) {
    this.pool = pool;
    this.statementTimeoutMillis = statementTimeoutMillis;
  }

  /**
   * Applies a batch of events in one transaction; the future succeeds once it committed. Its statements
   * carry a statement timeout scoped to the transaction ({@code SET LOCAL}): other users of the pool keep
   * theirs.
   */
  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    List<UUID> ids = events.stream().map(BlogEvent::eventId).toList();
    return pool.withTransaction(conn -> StatementTimeout.setLocal(conn, statementTimeoutMillis)
        .compose(set -> ProcessedEvents.record(conn, GROUP, ids))
        .compose(newIds -> applyNewest(conn, newest(events, newIds))));
  }

  // One event per blog, as one statement may touch a row once; sorted by blog, so concurrent batches lock
  // rows in one order.
  private static Collection<BlogEvent> newest(List<BlogEvent> events, Set<UUID> newIds) {
    Map<UUID, BlogEvent> newest = new TreeMap<>();
    for (BlogEvent event : events) {
      if (newIds.remove(event.eventId())) {
        newest.merge(event.blogId(), event, (a, b) -> b.version() > a.version() ? b : a);
      }
    }
    return newest.values();
  }

  private static Future<Void> applyNewest(SqlConnection conn, Collection<BlogEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] blogs = new UUID[events.size()];
    String[] authors = new String[events.size()];
    Integer[] versions = new Integer[events.size()];
    Boolean[] live = new Boolean[events.size()];
    int i = 0;
    for (BlogEvent event : events) {
      blogs[i] = event.blogId();
      authors[i] = event.authorId();
      versions[i] = event.version();
      live[i] = event.type() != BlogEvent.Type.BlogDeleted;
      i++;
    }
    return conn.preparedQuery(APPLY).execute(Tuple.tuple().addArrayOfUUID(blogs).addArrayOfString(authors)
        .addArrayOfInteger(versions).addArrayOfBoolean(live)).mapEmpty();
  }

  /**
   * What delivering {@code events} would do to their authors' counts, judged against what the counter has
   * applied now, as {@link #apply} would judge them: per author, the change in live blogs (authors whose
   * count would not change may be absent). Reads only.
   */
  public Future<Map<String, Long>> changeBy(List<Pending> events) {
    Map<UUID, Pending> newest = new HashMap<>();
    for (Pending event : events) {
      newest.merge(event.blogId(), event, (a, b) -> b.version() > a.version() ? b : a);
    }
    if (newest.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.preparedQuery(APPLIED).execute(Tuple.tuple().addArrayOfUUID(newest.keySet().toArray(UUID[]::new)))
        .map(rows -> {
          Map<UUID, Row> applied = new HashMap<>();
          for (Row row : rows) {
            applied.put(row.getUUID("blog_id"), row);
          }
          Map<String, Long> changes = new HashMap<>();
          for (Pending event : newest.values()) {
            Row now = applied.get(event.blogId());
            if (now != null && now.getInteger("version") >= event.version()) {
              continue;
            }
            boolean wasLive = now != null && now.getBoolean("live");
            boolean live = event.type() != BlogEvent.Type.BlogDeleted;
            changes.merge(event.authorId(), (live ? 1L : 0L) - (wasLive ? 1L : 0L), Long::sum);
          }
          return changes;
        });
  }

  /**
   * The counts of up to {@code limit} authors the counter has seen, after {@code after} in author id order
   * ("" for the first); an author whose blogs were all deleted is there with 0.
   */
  public Future<SortedMap<String, Long>> counts(String after, int limit) {
    return pool.preparedQuery(COUNTS).execute(Tuple.of(after, limit)).map(rows -> {
      SortedMap<String, Long> counts = new TreeMap<>();
      for (Row row : rows) {
        counts.put(row.getString("author_id"), row.getLong("blog_count"));
      }
      return counts;
    });
  }

  /** An author's live blog count as counted so far; 0 for an author never seen. */
  public Future<Long> count(String authorId) {
    return pool.preparedQuery(READ_COUNT).execute(Tuple.of(authorId))
        .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong("blog_count"));
  }
}
