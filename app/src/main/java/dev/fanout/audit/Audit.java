package dev.fanout.audit;

import dev.fanout.audit.Discrepancy.BlogMismatch;
import dev.fanout.audit.Discrepancy.CountMismatch;
import dev.fanout.audit.Discrepancy.IndexDiffers;
import dev.fanout.audit.Discrepancy.Kind;
import dev.fanout.audit.Discrepancy.MissingFromIndex;
import dev.fanout.audit.Discrepancy.MissingFromTable;
import dev.fanout.counter.AuthorCounter;
import dev.fanout.events.BlogEvent;
import dev.fanout.outbox.Outbox;
import dev.fanout.publisher.BlogStore;
import dev.fanout.publisher.BlogStore.BlogVersion;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchEngine.IndexedBlog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Compares the blogs table (the truth), the counter group's {@code author_stats} and the search index, and
 * re-emits outbox events to close the gaps it finds.
 *
 * <p>Kinds of discrepancy ({@link Discrepancy}, each a JSON object with a {@code kind}):
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
 * <p>The audit owns no table: it reads blogs through the publisher's {@link BlogStore}, counts through the
 * {@link AuthorCounter} and re-emits through the {@link Outbox}, the owners of those tables. An audit reads
 * the index first, then the table page by page, so a blog published in between can only
 * show as missing from the index, never as missing from the table. While events are in flight an audit
 * shows them as gaps; an empty audit after the system settles means consistent. Memory is bounded: at
 * most {@value #INDEX_LIMIT} index entries and {@value #DISCREPANCY_LIMIT} listed discrepancies; beyond
 * either, the answer says it is truncated (with a truncated index listing, blogs it did not return are not
 * reported as missing from it).
 *
 * <p>Repair marks outbox rows unsent again, in one transaction, and wakes the outbox relay, which sends them
 * in id order; both consumer groups are idempotent (counter by event id and version, search by version), so
 * re-sending is safe. A blog with an index gap gets all its events again; an author whose count is wrong gets the
 * events the counter group has not recorded. What re-sending cannot fix is answered as unrepairable.
 * Every method runs its steps one after the other on the caller's context.
 */
public final class Audit {

  /** Most index entries one audit reads. */
  static final int INDEX_LIMIT = 100_000;
  /** Most discrepancies one audit lists, and one repair acts on. */
  static final int DISCREPANCY_LIMIT = 10_000;
  private static final int PAGE = 1_000;

  private final Pool pool;
  private final int page;
  private final BlogStore blogs;
  private final AuthorCounter counter;
  private final SearchEngine search;

  /** @param pool where a repair runs its transaction */
  public Audit(Pool pool, BlogStore blogs, AuthorCounter counter, SearchEngine search) {
    this(pool, blogs, counter, search, PAGE);
  }

  /** @param page rows and authors read per query */
  Audit(Pool pool, BlogStore blogs, AuthorCounter counter, SearchEngine search, int page) {
    this.pool = pool;
    this.page = page;
    this.blogs = blogs;
    this.counter = counter;
    this.search = search;
  }

  /** Audits once; {@link AuditReport#toJson()} is the answer of {@code GET /api/audit}. */
  public Future<AuditReport> run() {
    return audit().map(Findings::report);
  }

  /**
   * Audits, then marks the events that close the gaps unsent and wakes the relay:
   * {@code {reemitted, discrepancies, unrepairable: [discrepancy + reason], truncated}}.
   */
  public Future<JsonObject> repair() {
    return audit().compose(findings -> pool.withTransaction(conn -> reemit(conn, findings.report())));
  }

  private Future<Findings> audit() {
    Findings findings = new Findings();
    return search.list(INDEX_LIMIT + 1)
        .compose(indexed -> {
          findings.indexTruncated = indexed.size() > INDEX_LIMIT;
          Map<String, IndexedBlog> index = new HashMap<>();
          for (IndexedBlog blog : indexed.subList(0, Math.min(indexed.size(), INDEX_LIMIT))) {
            index.put(blog.blogId(), blog);
          }
          findings.indexed = index.size();
          return compareBlogs(findings, index, null).map(index);
        })
        .compose(notInTable -> {
          for (IndexedBlog blog : notInTable.values()) {
            findings.add(new MissingFromTable(blog.blogId(), blog.authorId(), blog.version(), blog.deleted()));
          }
          return compareCounts(findings, "");
        })
        .map(findings);
  }

  // Walks the table in pages of blog ids, taking each blog's entry out of {@code index}; what is left in
  // {@code index} at the end has no row.
  private Future<Void> compareBlogs(Findings findings, Map<String, IndexedBlog> index, UUID after) {
    return blogs.versions(after, page).compose(rows -> {
      UUID last = null;
      for (BlogVersion blog : rows) {
        last = blog.blogId();
        findings.blogs++;
        IndexedBlog indexed = index.remove(last.toString());
        if (indexed == null && findings.indexTruncated) {
          continue; // maybe indexed beyond the listing: cannot tell
        }
        BlogMismatch discrepancy = compare(last.toString(), blog.authorId(), blog.version(), blog.deleted(), indexed);
        if (discrepancy != null) {
          findings.add(discrepancy);
        }
      }
      return rows.size() < page ? Future.succeededFuture() : compareBlogs(findings, index, last);
    });
  }

  // Walks the authors of both sides in id order, a page of each at a time: every author up to the smaller
  // of the two pages' last ids is in both pages if it exists at all, so those are compared, and the walk
  // goes on from there.
  private Future<Void> compareCounts(Findings findings, String after) {
    Future<SortedMap<String, Long>> live = blogs.liveCounts(after, page);
    Future<SortedMap<String, Long>> counted = counter.counts(after, page);
    return Future.all(live, counted).compose(v -> {
      String upTo = lowerBound(live.result(), counted.result());
      Set<String> authors = new TreeSet<>(live.result().keySet());
      authors.addAll(counted.result().keySet());
      for (String author : authors) {
        if (upTo != null && author.compareTo(upTo) > 0) {
          break;
        }
        findings.authors++;
        long expected = live.result().getOrDefault(author, 0L);
        long count = counted.result().getOrDefault(author, 0L);
        if (expected != count) {
          findings.add(new CountMismatch(author, expected, count));
        }
      }
      return upTo == null ? Future.succeededFuture() : compareCounts(findings, upTo);
    });
  }

  // The last author both pages are complete up to; null when both pages hold everything that is left.
  private String lowerBound(SortedMap<String, Long> live, SortedMap<String, Long> counted) {
    String upTo = null;
    for (SortedMap<String, Long> authors : List.of(live, counted)) {
      if (authors.size() == page && (upTo == null || authors.lastKey().compareTo(upTo) < 0)) {
        upTo = authors.lastKey();
      }
    }
    return upTo;
  }

  /** A blog's row against its index entry (null when not indexed); null when they agree. */
  static BlogMismatch compare(String blogId, String authorId, int version, boolean deleted, IndexedBlog indexed) {
    if (indexed == null) {
      return new MissingFromIndex(blogId, authorId, version, deleted);
    }
    Kind kind;
    if (deleted && !indexed.deleted()) {
      kind = Kind.DELETED_BUT_SEARCHABLE;
    } else if (!deleted && indexed.deleted()) {
      kind = Kind.LIVE_BUT_DELETED_IN_INDEX;
    } else if (indexed.version() < version) {
      kind = Kind.STALE_IN_INDEX;
    } else if (indexed.version() > version) {
      kind = Kind.AHEAD_OF_TABLE;
    } else {
      return null;
    }
    return new IndexDiffers(kind, blogId, authorId, version, indexed.version());
  }

  private Future<JsonObject> reemit(SqlConnection conn, AuditReport report) {
    Map<String, BlogMismatch> blogs = new LinkedHashMap<>(); // blog id -> its discrepancy
    Map<String, CountMismatch> counts = new LinkedHashMap<>(); // author id -> its count mismatch
    JsonArray unrepairable = new JsonArray();
    for (Discrepancy discrepancy : report.discrepancies()) {
      // each kind has one shape (Discrepancy.Kind), so the casts below cannot fail
      switch (discrepancy.kind()) {
        case COUNT_MISMATCH -> counts.put(discrepancy.authorId(), (CountMismatch) discrepancy);
        case MISSING_FROM_TABLE -> unrepairable.add(unrepairable(discrepancy,
            "the blog has no row, so no event can take it out of the index"));
        case MISSING_FROM_INDEX, DELETED_BUT_SEARCHABLE, LIVE_BUT_DELETED_IN_INDEX, STALE_IN_INDEX, AHEAD_OF_TABLE -> {
          BlogMismatch blog = (BlogMismatch) discrepancy;
          if (blog.indexBehind()) {
            blogs.put(blog.blogId(), blog);
          } else {
            unrepairable.add(unrepairable(discrepancy,
                "the index holds this version or a newer one; re-sent events are not newer and change nothing"));
          }
        }
      }
    }
    Set<UUID> reemitted = new HashSet<>();
    return unsendBlogEvents(conn, blogs, reemitted, unrepairable)
        .compose(v -> unsendUncounted(conn, counts, reemitted, unrepairable))
        .compose(v -> reemitted.isEmpty() ? Future.succeededFuture()
            : Outbox.wakeRelay(conn))
        .map(v -> new JsonObject().put("reemitted", reemitted.size()).put("discrepancies", report.found())
            .put("unrepairable", unrepairable).put("truncated", report.truncation()));
  }

  // Every event of each blog; a blog whose newest event in the outbox is older than its row stays broken.
  private static Future<Void> unsendBlogEvents(SqlConnection conn, Map<String, BlogMismatch> blogs,
                                               Set<UUID> reemitted, JsonArray unrepairable) {
    if (blogs.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] authors = blogs.values().stream().map(Discrepancy::authorId).distinct().toArray(String[]::new);
    String[] blogIds = blogs.keySet().toArray(String[]::new);
    return Outbox.unsendBlogEvents(conn, authors, blogIds)
        .map(unsent -> {
          Map<String, Integer> newest = new HashMap<>();
          for (Outbox.Unsent event : unsent) {
            reemitted.add(event.eventId());
            newest.merge(event.blogId(), event.version(), Math::max);
          }
          blogs.forEach((blogId, discrepancy) -> {
            int version = discrepancy.version();
            if (newest.getOrDefault(blogId, 0) < version) {
              unrepairable.add(unrepairable(discrepancy, "the outbox holds no event of version " + version));
            }
          });
          return null;
        });
  }

  // The events the counter has not recorded; the count they would give, as the counter judges them against
  // what it applied (an event older than that changes nothing), is checked against the table's.
  private Future<Void> unsendUncounted(SqlConnection conn, Map<String, CountMismatch> counts,
                                       Set<UUID> reemitted, JsonArray unrepairable) {
    if (counts.isEmpty()) {
      return Future.succeededFuture();
    }
    return Outbox.unsendUnprocessed(conn, counts.keySet().toArray(String[]::new), AuthorCounter.GROUP)
        .compose(unsent -> {
          List<AuthorCounter.Pending> pending = new ArrayList<>();
          Set<String> withEvents = new HashSet<>();
          for (Outbox.Unsent event : unsent) {
            reemitted.add(event.eventId());
            withEvents.add(event.key());
            pending.add(new AuthorCounter.Pending(UUID.fromString(event.blogId()), event.key(), event.version(),
                BlogEvent.Type.valueOf(event.type())));
          }
          return counter.changeBy(pending).map(changes -> {
            counts.forEach((authorId, discrepancy) -> {
              long predicted = discrepancy.counted() + changes.getOrDefault(authorId, 0L);
              if (predicted != discrepancy.expected()) {
                unrepairable.add(unrepairable(discrepancy, withEvents.contains(authorId)
                    ? "the events the counter has not recorded would bring the count to " + predicted
                    : "the counter has recorded every event of this author"));
              }
            });
            return null;
          });
        });
  }

  private static JsonObject unrepairable(Discrepancy discrepancy, String reason) {
    return discrepancy.toJson().put("reason", reason);
  }

  /** One audit's findings as they are gathered; filled step by step by one future chain, never concurrently. */
  private static final class Findings {
    final List<Discrepancy> discrepancies = new ArrayList<>();
    long found;
    long blogs;
    long authors;
    int indexed;
    boolean indexTruncated;
    boolean listTruncated;

    void add(Discrepancy discrepancy) {
      found++;
      if (discrepancies.size() < DISCREPANCY_LIMIT) {
        discrepancies.add(discrepancy);
      } else {
        listTruncated = true;
      }
    }

    AuditReport report() {
      return new AuditReport(discrepancies, found, blogs, authors, indexed, indexTruncated, listTruncated);
    }
  }
}
