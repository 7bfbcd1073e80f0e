package dev.fanout.search;

import dev.fanout.events.BlogEvent;
import io.vertx.core.Future;
import java.util.List;

/**
 * A search index of blogs, fed by the "search" consumer group. Two engines implement it: Lucene inside
 * the jar, and OpenSearch over its REST API.
 *
 * <p>Contract of {@link #apply}: idempotent and ordered by version. Each document carries the blog's
 * version from the event; an event whose version is not greater than the stored one changes nothing, so
 * a repeated or older event never overwrites a newer one. BlogDeleted removes the blog from results but
 * keeps its version (a tombstone), so an older update delivered late cannot bring it back. The future
 * succeeds only once the changes are durable in the engine (Lucene: fsynced to its translog; OpenSearch:
 * acknowledged), because the consumer commits its offsets right after.
 *
 * <p>Every method returns at once; blocking work runs on worker threads.
 */
public interface SearchEngine {

  /** "lucene" or "opensearch". */
  String name();

  /** Opens or creates the index (and its mapping). Called once before anything else. */
  Future<Void> start();

  /** Applies a batch of events in order; see the class comment. */
  Future<Void> apply(List<BlogEvent> events);

  /**
   * Live blogs matching the query, best first. The query text is Lucene's classic syntax, already
   * checked by {@link SearchQuery#parse}.
   */
  Future<SearchResult> search(SearchQuery query);

  /** Succeeds when the engine answers; for readiness checks. */
  Future<Void> ping();

  /** Every indexed blog id with its version and whether it is deleted, for audits; at most {@code limit}. */
  Future<List<IndexedBlog>> list(int limit);

  Future<Void> close();

  /** What the index holds for one blog. */
  record IndexedBlog(String blogId, String authorId, int version, boolean deleted) {
  }
}
