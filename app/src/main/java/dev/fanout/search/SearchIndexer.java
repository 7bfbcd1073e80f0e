package dev.fanout.search;

import dev.fanout.consumer.GroupSink;
import dev.fanout.consumer.ResiliencePolicy;
import dev.fanout.db.StatementTimeout;
import dev.fanout.events.BlogEvent;
import dev.fanout.outbox.ProcessedEvents;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;

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
  private final long statementTimeoutMillis;

  /** An indexer whose processed-events record is bounded by the default sink timeout. */
  public SearchIndexer(SearchEngine engine, Pool pool) {
    this(engine, pool, ResiliencePolicy.DEFAULT_SINK_TIMEOUT_MILLIS);
  }

  /**
   * @param statementTimeoutMillis the longest the processed-events record may run in PostgreSQL (the
   *                               group's sink timeout), scoped to its own transaction
   */
  public SearchIndexer(SearchEngine engine, Pool pool, long statementTimeoutMillis) {
    this.engine = engine;
    this.pool = pool;
    this.statementTimeoutMillis = statementTimeoutMillis;
  }

  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    List<UUID> ids = events.stream().map(BlogEvent::eventId).toList();
    return engine.apply(events)
        .compose(v -> pool.withTransaction(conn -> StatementTimeout.setLocal(conn, statementTimeoutMillis)
            .compose(set -> ProcessedEvents.record(conn, GROUP, ids))))
        .mapEmpty();
  }
}
