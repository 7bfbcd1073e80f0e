package dev.fanout.counter;

import dev.fanout.events.BlogEvent;
import dev.fanout.events.InvalidEventException;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the "counter" group: each instance of this verticle joins the group once, so the group's
 * size is the deployment's instance count. Batches are applied by {@link AuthorCounter}; an event that
 * cannot be decoded goes to the group's dead-letter topic instead of blocking its partition.
 */
public final class CounterVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CounterVerticle.class);

  private final EventStream stream;
  private final String topic;
  private final String deadLetterTopic;
  private final AuthorCounter counter;
  // set in start(), on this verticle's context
  private GroupMember member;

  public CounterVerticle(EventStream stream, String topic, String deadLetterTopic, AuthorCounter counter) {
    this.stream = stream;
    this.topic = topic;
    this.deadLetterTopic = deadLetterTopic;
    this.counter = counter;
  }

  @Override
  public Future<?> start() {
    SubscribeOptions options = SubscribeOptions.of(topic, AuthorCounter.GROUP)
        .withStartFrom(StartPosition.EARLIEST)
        .withMaxBatchSize(500);
    return stream.subscribe(options, this::handle).onSuccess(m -> member = m);
  }

  @Override
  public Future<?> stop() {
    return member == null ? Future.succeededFuture() : member.leave();
  }

  private Future<Void> handle(List<StreamRecord> batch) {
    List<BlogEvent> events = new ArrayList<>(batch.size());
    List<Future<?>> deadLetters = new ArrayList<>();
    for (StreamRecord record : batch) {
      try {
        events.add(BlogEvent.decode(record.value()));
      } catch (InvalidEventException e) {
        LOG.warn("dead-lettering {}: {}", record, e.getMessage());
        deadLetters.add(deadLetter(record, e));
      }
    }
    return Future.all(deadLetters).compose(v -> counter.apply(events))
        .onFailure(e -> LOG.warn("counter batch of {} records failed, it will be redelivered: {}", batch.size(), e.toString()));
  }

  private Future<?> deadLetter(StreamRecord record, Exception error) {
    Map<String, String> headers = new LinkedHashMap<>(record.headers());
    headers.put("dlq-original-topic", record.topic());
    headers.put("dlq-original-partition", Integer.toString(record.partition()));
    headers.put("dlq-original-offset", Long.toString(record.offset()));
    headers.put("dlq-error", String.valueOf(error.getMessage()));
    headers.put("dlq-attempts", "1");
    return stream.send(deadLetterTopic, record.key(), headers, record.value());
  }
}
