package dev.fanout.search;

import dev.fanout.consumer.GroupSink;
import dev.fanout.events.BlogEvent;
import dev.fanout.outbox.ProcessedEvents;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;

/**
 * The sink of the "search" group: applies batches to the search engine (idempotent by version), then
 * records their event ids as processed, so that a restart of the in-memory stream re-sends only what the
 * index may not have.
 */
public final class SearchIndexer implements GroupSink {

  /** The consumer group that feeds the search index. */
  public static final String GROUP = "search";

  private final SearchEngine engine;
  private final Pool pool;

  public SearchIndexer(SearchEngine engine, Pool pool) {
    this.engine = engine;
    this.pool = pool;
  }

  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    return engine.apply(events)
        .compose(v -> ProcessedEvents.record(pool, GROUP, events.stream().map(BlogEvent::eventId).toList()))
        .mapEmpty();
  }
}
