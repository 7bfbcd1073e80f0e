package dev.fanout.search;

import dev.fanout.app.FanoutOptions;
import dev.fanout.search.lucene.LuceneSearchEngine;
import dev.fanout.search.opensearch.OpenSearchEngine;
import io.vertx.core.Vertx;

/** Picks the search engine the options name. */
public final class SearchEngines {

  /** The OpenSearch index that holds the blogs. */
  public static final String OPENSEARCH_INDEX = "fanout-blogs";

  private SearchEngines() {
  }

  public static SearchEngine create(Vertx vertx, FanoutOptions options) {
    return switch (options.search()) {
      case "lucene" -> new LuceneSearchEngine(vertx, options.dataDir().resolve("search"),
          options.luceneRefreshMillis());
      case "opensearch" -> new OpenSearchEngine(vertx, options.opensearchUrl(), OPENSEARCH_INDEX,
          options.opensearchRefreshMillis());
      default -> throw new IllegalArgumentException("unknown search engine " + options.search());
    };
  }
}
