package dev.fanout.counter;

import dev.fanout.consumer.EventConsumerVerticle;
import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import io.vertx.core.Future;
import java.util.List;

/** A member of the "counter" group: applies batches with {@link AuthorCounter}, exactly once per event. */
public final class CounterVerticle extends EventConsumerVerticle {

  private final AuthorCounter counter;

  public CounterVerticle(EventStream stream, String topic, AuthorCounter counter) {
    super(stream, topic, AuthorCounter.GROUP);
    this.counter = counter;
  }

  @Override
  protected Future<Void> handle(List<BlogEvent> events) {
    return counter.apply(events);
  }
}
