package dev.fanout.search.opensearch;

import dev.fanout.events.BlogEvent;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchQuery;
import dev.fanout.search.SearchResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

// PLACEHOLDER until the OpenSearch engine lands: it must not ship.
public final class OpenSearchEngine implements SearchEngine {
  public OpenSearchEngine(Vertx vertx, String url, String index) {
    throw new UnsupportedOperationException("OpenSearch engine not yet built");
  }
  public String name() { return "opensearch"; }
  public Future<Void> start() { return null; }
  public Future<Void> apply(List<BlogEvent> events) { return null; }
  public Future<SearchResult> search(SearchQuery query) { return null; }
  public Future<Void> ping() { return null; }
  public Future<List<IndexedBlog>> list(int limit) { return null; }
  public Future<Void> close() { return null; }
}
