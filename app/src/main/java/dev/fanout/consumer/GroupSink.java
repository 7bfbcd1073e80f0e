package dev.fanout.consumer;

import dev.fanout.events.BlogEvent;
import io.vertx.core.Future;
import java.util.List;

/**
 * What a consumer group does with its events: the counter's database writes, the search index. The group
 * machinery ({@link LocalGroup}) decodes, retries, breaks circuits and dead-letters around it.
 */
@FunctionalInterface
public interface GroupSink {

  /**
   * Applies decoded events, in offset order. The future succeeds once their effect is durable (offsets
   * are committed right after); it must be safe to apply the same events again (redelivery). A failure
   * that retrying cannot fix should be a {@link PermanentFailure} or be recognized by {@link Failures}.
   */
  Future<Void> apply(List<BlogEvent> events);
}
