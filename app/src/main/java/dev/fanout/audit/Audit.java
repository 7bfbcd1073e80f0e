package dev.fanout.audit;

import dev.fanout.counter.AuthorCounter;
import dev.fanout.publisher.BlogStore;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchEngine.IndexedBlog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Compares the blogs table (the truth), the counter group's {@code author_stats} and the search index, and
 * re-emits outbox events to close the gaps it finds.
 *
 * <p>Kinds of discrepancy, each a JSON object with a {@code kind}:
 * <ul>
 *   <li>{@code count_mismatch} {authorId, expected, counted}: live blogs in the table against blog_count;</li>
 *   <li>{@code missing_from_index} {blogId, authorId, version, deleted}: a blog (or its tombstone) the index
 *       does not hold;</li>
 *   <li>{@code missing_from_table} {blogId, authorId, indexedVersion, indexedDeleted}: an indexed blog with
 *       no row;</li>
 *   <li>{@code deleted_but_searchable}, {@code live_but_deleted_in_index}, {@code stale_in_index} (the index
 *       has an older version) and {@code ahead_of_table} (a newer one), each {blogId, authorId, version,
 *       indexedVersion}; the deletion flag is judged first, then the version.</li>
 * </ul>
 *
 * <p>An audit reads the index first, then the table page by page, so a blog published in between can only
 * show as missing from the index, never as missing from the table. While events are in flight an audit
 * shows them as gaps; an empty audit after the system settles means consistent. Memory is bounded: at
 * most {@value #INDEX_LIMIT} index entries and {@value #DISCREPANCY_LIMIT} listed discrepancies; beyond
 * either, the answer says it is truncated (with a truncated index listing, blogs it did not return are not
 * reported as missing from it).
 *
 * <p>Repair marks outbox rows unsent again, in one transaction, and wakes the outbox relay, which sends them
 * in id order; both consumer groups are idempotent (counter by event id, search by version), so re-sending
 * is safe. A blog with an index gap gets all its events again; an author whose count is wrong gets the
 * events the counter group has not recorded. What re-sending cannot fix is answered as unrepairable.
 * Every method runs its steps one after the other on the caller's context.
 */
public final class Audit {

  /** Most index entries one audit reads. */
  static final int INDEX_LIMIT = 100_000;
  /** Most discrepancies one audit lists, and one repair acts on. */
  static final int DISCREPANCY_LIMIT = 10_000;
  private static final int PAGE = 1_000;

  private static final String COUNT_MISMATCHES =
      "WITH live AS (SELECT author_id, count(*) AS n FROM blogs WHERE NOT deleted GROUP BY author_id) "
          + "SELECT coalesce(l.author_id, s.author_id) AS author_id, coalesce(l.n, 0) AS expected, "
          + "coalesce(s.blog_count, 0) AS counted, count(*) OVER () AS total "
          + "FROM live l FULL JOIN author_stats s ON s.author_id = l.author_id "
          + "WHERE coalesce(l.n, 0) <> coalesce(s.blog_count, 0) ORDER BY 1 LIMIT $1";
  private static final String COUNT_AUTHORS =
      "SELECT count(*) AS n FROM (SELECT author_id FROM blogs WHERE NOT deleted UNION SELECT author_id FROM author_stats) a";
  private static final String FIRST_BLOGS =
      "SELECT blog_id, author_id, version, deleted FROM blogs ORDER BY blog_id LIMIT $1";
  private static final String NEXT_BLOGS =
      "SELECT blog_id, author_id, version, deleted FROM blogs WHERE blog_id > $2 ORDER BY blog_id LIMIT $1";
  // the outbox has no blog column: narrow by key (the author), then read the blog id from the payload
  private static final String UNSEND_BLOG_EVENTS =
      "UPDATE outbox o SET sent_at = NULL FROM (SELECT id, convert_from(payload, 'UTF8')::jsonb AS event "
          + "FROM outbox WHERE event_key = ANY($1)) e WHERE o.id = e.id AND e.event ->> 'blogId' = ANY($2) "
          + "RETURNING o.event_id, e.event ->> 'blogId' AS blog_id, (e.event ->> 'version')::int AS version";
  private static final String UNSEND_UNCOUNTED =
      "UPDATE outbox o SET sent_at = NULL WHERE o.event_key = ANY($1) AND NOT EXISTS (SELECT 1 FROM processed_events p "
          + "WHERE p.group_name = $2 AND p.event_id = o.event_id) RETURNING o.event_id, o.event_key, o.event_type";
  private static final String NOTIFY_RELAY = "SELECT pg_notify($1, '')";

  private final Pool pool;
  private final SearchEngine search;

  public Audit(Pool pool, SearchEngine search) {
    this.pool = pool;
    this.search = search;
  }

  /** {@code {discrepancies: [...], checked: {blogs, authors, indexed}, truncated: {index, discrepancies}}}. */
  public Future<JsonObject> run() {
    return audit().map(Report::toJson);
  }

  /**
   * Audits, then marks the events that close the gaps unsent and wakes the relay:
   * {@code {reemitted, discrepancies, unrepairable: [discrepancy + reason], truncated}}.
   */
  public Future<JsonObject> repair() {
    return audit().compose(report -> pool.withTransaction(conn -> reemit(conn, report)));
  }

  private Future<Report> audit() {
    Report report = new Report();
    return search.list(INDEX_LIMIT + 1)
        .compose(indexed -> {
          report.indexTruncated = indexed.size() > INDEX_LIMIT;
          Map<String, IndexedBlog> index = new HashMap<>();
          for (IndexedBlog blog : indexed.subList(0, Math.min(indexed.size(), INDEX_LIMIT))) {
            index.put(blog.blogId(), blog);
          }
          report.indexed = index.size();
          return compareBlogs(report, index, null).map(index);
        })
        .compose(notInTable -> {
          for (IndexedBlog blog : notInTable.values()) {
            report.add(blogDiscrepancy("missing_from_table", blog.blogId(), blog.authorId())
                .put("indexedVersion", blog.version()).put("indexedDeleted", blog.deleted()));
          }
          return pool.preparedQuery(COUNT_MISMATCHES).execute(Tuple.of(DISCREPANCY_LIMIT));
        })
        .compose(rows -> {
          for (Row row : rows) {
            report.add(new JsonObject().put("kind", "count_mismatch").put("authorId", row.getString("author_id"))
                .put("expected", row.getLong("expected")).put("counted", row.getLong("counted")));
          }
          if (rows.size() > 0) {
            // the query caps its rows; its window count says how many there were in all
            long total = rows.iterator().next().getLong("total");
            report.found += total - rows.size();
            report.listTruncated |= total > rows.size();
          }
          return pool.query(COUNT_AUTHORS).execute();
        })
        .map(rows -> {
          report.authors = rows.iterator().next().getLong("n");
          return report;
        });
  }

  // Walks the table in pages of blog ids, taking each blog's entry out of {@code index}; what is left in
  // {@code index} at the end has no row.
  private Future<Void> compareBlogs(Report report, Map<String, IndexedBlog> index, UUID after) {
    Future<RowSet<Row>> page = after == null
        ? pool.preparedQuery(FIRST_BLOGS).execute(Tuple.of(PAGE))
        : pool.preparedQuery(NEXT_BLOGS).execute(Tuple.of(PAGE, after));
    return page.compose(rows -> {
      UUID last = null;
      for (Row row : rows) {
        last = row.getUUID("blog_id");
        report.blogs++;
        IndexedBlog indexed = index.remove(last.toString());
        if (indexed == null && report.indexTruncated) {
          continue; // maybe indexed beyond the listing: cannot tell
        }
        JsonObject discrepancy = compare(last.toString(), row.getString("author_id"), row.getInteger("version"),
            row.getBoolean("deleted"), indexed);
        if (discrepancy != null) {
          report.add(discrepancy);
        }
      }
      return rows.size() < PAGE ? Future.succeededFuture() : compareBlogs(report, index, last);
    });
  }

  /** A blog's row against its index entry (null when not indexed); null when they agree. */
  static JsonObject compare(String blogId, String authorId, int version, boolean deleted, IndexedBlog indexed) {
    if (indexed == null) {
      return blogDiscrepancy("missing_from_index", blogId, authorId).put("version", version).put("deleted", deleted);
    }
    String kind;
    if (deleted && !indexed.deleted()) {
      kind = "deleted_but_searchable";
    } else if (!deleted && indexed.deleted()) {
      kind = "live_but_deleted_in_index";
    } else if (indexed.version() < version) {
      kind = "stale_in_index";
    } else if (indexed.version() > version) {
      kind = "ahead_of_table";
    } else {
      return null;
    }
    return blogDiscrepancy(kind, blogId, authorId).put("version", version).put("indexedVersion", indexed.version());
  }

  private static JsonObject blogDiscrepancy(String kind, String blogId, String authorId) {
    return new JsonObject().put("kind", kind).put("blogId", blogId).put("authorId", authorId);
  }

  private Future<JsonObject> reemit(SqlConnection conn, Report report) {
    Map<String, JsonObject> blogs = new LinkedHashMap<>(); // blog id -> its discrepancy
    Map<String, JsonObject> counts = new LinkedHashMap<>(); // author id -> its count mismatch
    JsonArray unrepairable = new JsonArray();
    for (JsonObject discrepancy : report.discrepancies) {
      String kind = discrepancy.getString("kind");
      if (kind.equals("count_mismatch")) {
        counts.put(discrepancy.getString("authorId"), discrepancy);
      } else if (kind.equals("missing_from_table")) {
        unrepairable.add(unrepairable(discrepancy, "the blog has no row, so no event can take it out of the index"));
      } else if (kind.equals("missing_from_index")
          || discrepancy.getInteger("indexedVersion") < discrepancy.getInteger("version")) {
        blogs.put(discrepancy.getString("blogId"), discrepancy);
      } else {
        unrepairable.add(unrepairable(discrepancy,
            "the index holds this version or a newer one; re-sent events are not newer and change nothing"));
      }
    }
    Set<UUID> reemitted = new HashSet<>();
    return unsendBlogEvents(conn, blogs, reemitted, unrepairable)
        .compose(v -> unsendUncounted(conn, counts, reemitted, unrepairable))
        .compose(v -> reemitted.isEmpty() ? Future.succeededFuture()
            : conn.preparedQuery(NOTIFY_RELAY).execute(Tuple.of(BlogStore.OUTBOX_CHANNEL)).mapEmpty())
        .map(v -> new JsonObject().put("reemitted", reemitted.size()).put("discrepancies", report.found)
            .put("unrepairable", unrepairable).put("truncated", report.truncation()));
  }

  // Every event of each blog; a blog whose newest event in the outbox is older than its row stays broken.
  private static Future<Void> unsendBlogEvents(SqlConnection conn, Map<String, JsonObject> blogs, Set<UUID> reemitted,
                                               JsonArray unrepairable) {
    if (blogs.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] authors = blogs.values().stream().map(d -> d.getString("authorId")).distinct().toArray(String[]::new);
    String[] blogIds = blogs.keySet().toArray(String[]::new);
    return conn.preparedQuery(UNSEND_BLOG_EVENTS)
        .execute(Tuple.tuple().addArrayOfString(authors).addArrayOfString(blogIds))
        .map(rows -> {
          Map<String, Integer> newest = new HashMap<>();
          for (Row row : rows) {
            reemitted.add(row.getUUID("event_id"));
            newest.merge(row.getString("blog_id"), row.getInteger("version"), Math::max);
          }
          blogs.forEach((blogId, discrepancy) -> {
            int version = discrepancy.getInteger("version");
            if (newest.getOrDefault(blogId, 0) < version) {
              unrepairable.add(unrepairable(discrepancy, "the outbox holds no event of version " + version));
            }
          });
          return null;
        });
  }

  // The events the counter has not recorded; the count they would give is checked against the table's.
  private static Future<Void> unsendUncounted(SqlConnection conn, Map<String, JsonObject> counts, Set<UUID> reemitted,
                                              JsonArray unrepairable) {
    if (counts.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(UNSEND_UNCOUNTED)
        .execute(Tuple.tuple().addArrayOfString(counts.keySet().toArray(String[]::new)).addString(AuthorCounter.GROUP))
        .map(rows -> {
          Map<String, Long> deltas = new HashMap<>();
          for (Row row : rows) {
            reemitted.add(row.getUUID("event_id"));
            long delta = switch (row.getString("event_type")) {
              case "BlogPublished" -> 1;
              case "BlogDeleted" -> -1;
              default -> 0;
            };
            deltas.merge(row.getString("event_key"), delta, Long::sum);
          }
          counts.forEach((authorId, discrepancy) -> {
            long predicted = discrepancy.getLong("counted") + deltas.getOrDefault(authorId, 0L);
            if (predicted != discrepancy.getLong("expected")) {
              unrepairable.add(unrepairable(discrepancy, deltas.containsKey(authorId)
                  ? "the events the counter has not recorded would bring the count to " + predicted
                  : "the counter has recorded every event of this author"));
            }
          });
          return null;
        });
  }

  private static JsonObject unrepairable(JsonObject discrepancy, String reason) {
    return discrepancy.copy().put("reason", reason);
  }

  /** One audit's findings; filled step by step by one future chain, never concurrently. */
  private static final class Report {
    final List<JsonObject> discrepancies = new ArrayList<>();
    long found;
    long blogs;
    long authors;
    int indexed;
    boolean indexTruncated;
    boolean listTruncated;

    void add(JsonObject discrepancy) {
      found++;
      if (discrepancies.size() < DISCREPANCY_LIMIT) {
        discrepancies.add(discrepancy);
      } else {
        listTruncated = true;
      }
    }

    JsonObject truncation() {
      return new JsonObject().put("index", indexTruncated).put("discrepancies", listTruncated);
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("discrepancies", new JsonArray(new ArrayList<>(discrepancies)))
          .put("checked", new JsonObject().put("blogs", blogs).put("authors", authors).put("indexed", indexed))
          .put("truncated", truncation());
    }
  }
}
