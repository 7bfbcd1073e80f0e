package dev.fanout.consumer;

import dev.fanout.events.BlogEvent;
import dev.fanout.events.InvalidEventException;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a consumer group of blog events: each deployed instance joins the group once, so a
 * group's size is its deployment's instance count. It decodes each batch, sends events that can never be
 * decoded to the group's dead-letter topic (so they do not block their partition), and hands the rest to
 * {@link #handle}. The offsets are committed when the returned future succeeds.
 */
public abstract class EventConsumerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(EventConsumerVerticle.class);

  private final EventStream stream;
  private final String topic;
  private final String group;
  // set in start(), on this verticle's context
  private GroupMember member;

  protected EventConsumerVerticle(EventStream stream, String topic, String group) {
    this.stream = stream;
    this.topic = topic;
    this.group = group;
  }

  /** The dead-letter topic of a group reading {@code topic}. */
  public static String deadLetterTopic(String topic, String group) {
    return topic + ".dlq." + group;
  }

  /** Applies decoded events, in offset order; the future succeeds once their effect is durable. */
  protected abstract Future<Void> handle(List<BlogEvent> events);

  @Override
  public Future<?> start() {
    SubscribeOptions options = SubscribeOptions.of(topic, group)
        .withStartFrom(StartPosition.EARLIEST)
        .withMaxBatchSize(500);
    return stream.subscribe(options, this::handleBatch).onSuccess(m -> member = m);
  }

  /** How long a stopping member waits for its in-flight batches before it abandons them. */
  static final long LEAVE_TIMEOUT_MILLIS = 10_000;

  /**
   * Leaves the group cleanly, letting in-flight batches finish and commit; a batch still running after
   * {@value #LEAVE_TIMEOUT_MILLIS} ms is abandoned (its records are redelivered to the next owner).
   */
  @Override
  public Future<?> stop() {
    if (member == null) {
      return Future.succeededFuture();
    }
    Promise<Void> stopped = Promise.promise();
    long timer = vertx.setTimer(LEAVE_TIMEOUT_MILLIS, id -> {
      LOG.warn("group {}: in-flight batches did not finish within {} ms; abandoning them", group, LEAVE_TIMEOUT_MILLIS);
      member.crash().onComplete(ar -> stopped.tryComplete());
    });
    member.leave().onComplete(ar -> {
      vertx.cancelTimer(timer);
      stopped.tryComplete();
    });
    return stopped.future();
  }

  private Future<Void> handleBatch(List<StreamRecord> batch) {
    List<BlogEvent> events = new ArrayList<>(batch.size());
    List<Future<?>> deadLetters = new ArrayList<>();
    for (StreamRecord record : batch) {
      try {
        events.add(BlogEvent.decode(record.value()));
      } catch (InvalidEventException e) {
        LOG.warn("group {}: dead-lettering {}: {}", group, record, e.getMessage());
        deadLetters.add(deadLetter(record, e));
      }
    }
    return Future.all(deadLetters).compose(v -> events.isEmpty() ? Future.<Void>succeededFuture() : handle(events))
        .onFailure(e -> LOG.warn("group {}: batch of {} records failed, it will be redelivered: {}", group,
            batch.size(), e.toString()));
  }

  private Future<?> deadLetter(StreamRecord record, Exception error) {
    Map<String, String> headers = new LinkedHashMap<>(record.headers());
    headers.put("dlq-original-topic", record.topic());
    headers.put("dlq-original-partition", Integer.toString(record.partition()));
    headers.put("dlq-original-offset", Long.toString(record.offset()));
    headers.put("dlq-error", String.valueOf(error.getMessage()));
    headers.put("dlq-attempts", "1");
    return stream.send(deadLetterTopic(topic, group), record.key(), headers, record.value());
  }
}
