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

  /**
   * For a keyed group (events one by one, see {@link GroupSpec.Dispatch#keyOrdered}): called once per batch
   * before its events go to {@link #apply} one by one, so that the sink can read what it needs for all of
   * them at once. A failure fails the batch.
   */
  default Future<Void> prepare(List<BlogEvent> events) {
    return Future.succeededFuture();
  }

  /**
   * For a sink whose {@link #apply} succeeds once the effect happened, before its own record of it is durable
   * (a webhook: the receiver has it; the dedupe record follows): completes once the records of every apply
   * that succeeded so far are durable. The batch's offsets are committed only after it.
   */
  default Future<Void> settled() {
    return Future.succeededFuture();
  }
}
