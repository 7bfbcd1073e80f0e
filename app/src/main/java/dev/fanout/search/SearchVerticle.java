package dev.fanout.search;

import dev.fanout.consumer.EventConsumerVerticle;
import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/**
 * A member of the "search" group: applies batches to the search engine (idempotent by version), then
 * records their event ids as processed, so that a restart of the in-memory stream re-sends only what the
 * index may not have.
 */
public final class SearchVerticle extends EventConsumerVerticle {

  /** The consumer group that feeds the search index. */
  public static final String GROUP = "search";

  private static final String RECORD_PROCESSED =
      "INSERT INTO processed_events (group_name, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING";

  private final SearchEngine engine;
  private final Pool pool;

  public SearchVerticle(EventStream stream, String topic, SearchEngine engine, Pool pool) {
    super(stream, topic, GROUP);
    this.engine = engine;
    this.pool = pool;
  }

  @Override
  protected Future<Void> handle(List<BlogEvent> events) {
    UUID[] ids = events.stream().map(BlogEvent::eventId).toArray(UUID[]::new);
    return engine.apply(events)
        .compose(v -> pool.preparedQuery(RECORD_PROCESSED).execute(Tuple.tuple().addString(GROUP).addArrayOfUUID(ids)))
        .mapEmpty();
  }
}
