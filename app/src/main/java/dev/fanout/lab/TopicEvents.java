package dev.fanout.lab;

import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads which events a topic holds, by the event id in each record's headers: with a group of its own from
 * the earliest record up to the end the topic had when the read began. What the lab calls lost is a stored
 * blog whose event is not there.
 */
final class TopicEvents {

  private static final Duration CHECK = Duration.ofMillis(50);

  private TopicEvents() {
  }

  /** The event ids in {@code topic}; fails when the records are not all read within {@code timeoutMillis}. */
  static Future<Set<UUID>> read(Vertx vertx, EventStream stream, String topic, String group, long timeoutMillis) {
    return stream.admin().listTopics().compose(topics -> {
      long records = topics.stream().filter(t -> t.name().equals(topic))
          .flatMap(t -> t.partitions().stream())
          .mapToLong(p -> p.endOffset() - p.startOffset()).sum();
      Set<UUID> ids = ConcurrentHashMap.newKeySet();
      if (records == 0) {
        return Future.succeededFuture(ids);
      }
      AtomicLong read = new AtomicLong();
      return stream.subscribe(SubscribeOptions.of(topic, group).withStartFrom(StartPosition.EARLIEST), batch -> {
        batch.forEach(record -> {
          UUID id = BlogEvent.idIn(record.headers());
          if (id != null) {
            ids.add(id);
          }
        });
        read.addAndGet(batch.size());
        return Future.succeededFuture();
      }).compose(member -> awaitRecords(vertx, read, records, timeoutMillis)
          .eventually(member::leave))
          .map(ids);
    });
  }

  private static Future<Void> awaitRecords(Vertx vertx, AtomicLong read, long records, long timeoutMillis) {
    Duration bound = Duration.ofMillis(timeoutMillis);
    return Poll.until(vertx, () -> Future.succeededFuture(read.get() >= records), CHECK, bound)
        .compose(all -> all ? Future.succeededFuture() : Future.failedFuture(
            new IllegalStateException("read " + read.get() + " of " + records + " records in time")));
  }
}
