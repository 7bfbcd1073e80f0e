package dev.fanout.search;

import dev.fanout.consumer.EventConsumerVerticle;
import dev.fanout.consumer.ProcessedEvents;
import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;

/**
 * A member of the "search" group: applies batches to the search engine (idempotent by version), then
 * records their event ids as processed, so that a restart of the in-memory stream re-sends only what the
 * index may not have.
 */
public final class SearchVerticle extends EventConsumerVerticle {

  /** The consumer group that feeds the search index. */
  public static final String GROUP = "search";

  private final SearchEngine engine;
  private final Pool pool;

  public SearchVerticle(EventStream stream, String topic, SearchEngine engine, Pool pool) {
    super(stream, topic, GROUP);
    this.engine = engine;
    this.pool = pool;
  }

  @Override
  protected Future<Void> handle(List<BlogEvent> events) {
    return engine.apply(events)
        .compose(v -> ProcessedEvents.record(pool, GROUP, events.stream().map(BlogEvent::eventId).toList()))
        .mapEmpty();
  }
}
