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
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Keeps {@code author_stats.blog_count} exactly once per event: in one transaction a batch records its
 * event ids in {@code processed_events} and applies the effect of only those ids that were new. A
 * redelivered event finds its id already there and changes nothing. BlogPublished adds one, BlogDeleted
 * takes one away (never below zero), BlogUpdated changes nothing.
 */
public final class AuthorCounter implements GroupSink {

  /** The consumer group, and the name its dedupe rows carry. */
  public static final String GROUP = "counter";

  private static final String ENSURE_AUTHORS =
      "INSERT INTO author_stats (author_id, blog_count) SELECT unnest($1::text[]), 0 ON CONFLICT (author_id) DO NOTHING";
  private static final String APPLY_DELTAS =
      "UPDATE author_stats s SET blog_count = greatest(s.blog_count + t.delta, 0) "
          + "FROM unnest($1::text[], $2::bigint[]) AS t(author_id, delta) WHERE s.author_id = t.author_id";
  private static final String READ_COUNT = "SELECT blog_count FROM author_stats WHERE author_id = $1";
  private static final String COUNTS =
      "SELECT author_id, blog_count FROM author_stats WHERE author_id > $1 ORDER BY author_id LIMIT $2";

  private final Pool pool;
  private final long statementTimeoutMillis;

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
        .compose(newIds -> {
          // sorted by author, so concurrent batches lock rows in one order
          Map<String, Long> deltas = new TreeMap<>();
          for (BlogEvent event : events) {
            if (newIds.remove(event.eventId())) {
              long delta = switch (event.type()) {
                case BlogPublished -> 1;
                case BlogDeleted -> -1;
                case BlogUpdated -> 0;
              };
              if (delta != 0) {
                deltas.merge(event.authorId(), delta, Long::sum);
              }
            }
          }
          return applyDeltas(conn, deltas);
        }));
  }

  private static Future<Void> applyDeltas(SqlConnection conn, Map<String, Long> deltas) {
    if (deltas.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] authors = deltas.keySet().toArray(String[]::new);
    Long[] values = deltas.values().toArray(Long[]::new);
    return conn.preparedQuery(ENSURE_AUTHORS).execute(Tuple.tuple().addArrayOfString(authors))
        .compose(v -> conn.preparedQuery(APPLY_DELTAS).execute(Tuple.tuple().addArrayOfString(authors).addArrayOfLong(values)))
        .mapEmpty();
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
