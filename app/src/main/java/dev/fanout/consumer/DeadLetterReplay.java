package dev.fanout.consumer;

import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One replay of a group's dead letters: the dead letters present when it starts are handed, one by one
 * and in order, to that group's {@link GroupPipeline} only (other groups never see them again). A replay
 * group, {@code <group>.replay}, remembers with its committed offsets which dead letters were replayed, so the
 * next replay starts after them. A dead letter that fails permanently again goes back to the dead-letter
 * topic, after the replayed ones; a transient failure leaves it for the next replay.
 */
final class DeadLetterReplay {

  /** A replay that has not reached the dead letters' end by then stops and reports how far it got. */
  static final long TIMEOUT_MILLIS = 60_000;
  private static final long CHECK_MILLIS = 100;

  private final Vertx vertx;
  private final EventStream stream;
  private final GroupPipeline pipeline;
  private final Runnable onReplayed;
  private final String replayGroup;
  private final AtomicLong replayed = new AtomicLong();

  /** @param onReplayed told once per dead letter the pipeline handled */
  DeadLetterReplay(Vertx vertx, EventStream stream, GroupPipeline pipeline, Runnable onReplayed) {
    this.vertx = vertx;
    this.stream = stream;
    this.pipeline = pipeline;
    this.onReplayed = onReplayed;
    this.replayGroup = pipeline.group() + ".replay";
  }

  Future<JsonObject> run() {
    String topic = pipeline.deadLetterTopic();
    return ranges(topic).compose(ranges -> {
      long before = total(ranges);
      Map<Integer, Long> ends = new HashMap<>();
      // an empty partition, with nothing to replay, counts as reached
      ranges.forEach((p, r) -> ends.put(p, r.startOffset() == r.endOffset() ? -1 : r.endOffset()));
      SubscribeOptions options = SubscribeOptions.of(topic, replayGroup)
          .withStartFrom(StartPosition.EARLIEST)
          .withMaxBatchSize(1);
      return stream.subscribe(options, batch -> replay(batch, ends))
          .compose(member -> awaitEnd(ends, System.currentTimeMillis() + TIMEOUT_MILLIS)
              .eventually(member::leave))
          .compose(finished -> ranges(topic).map(after -> new JsonObject()
              .put("group", pipeline.group())
              .put("deadLetterTopic", topic)
              .put("replayed", replayed.get())
              .put("deadLetteredAgain", total(after) - before)
              .put("finished", finished)));
    });
  }

  private Future<Void> replay(List<StreamRecord> batch, Map<Integer, Long> ends) {
    StreamRecord record = batch.get(0);
    if (record.offset() >= ends.getOrDefault(record.partition(), -1L)) {
      // dead-lettered after this replay began: not committed, left for the next replay
      return Future.failedFuture(new IllegalStateException("beyond this replay"));
    }
    UUID eventId = BlogEvent.idIn(record.headers());
    return pipeline.replay(batch)
        .compose(v -> eventId == null ? Future.succeededFuture()
            : pipeline.trail().replayed(pipeline.group(), List.of(eventId)))
        .onSuccess(v -> {
          replayed.incrementAndGet();
          onReplayed.run();
        });
  }

  /** Succeeds with true once every partition's committed offset reached its end, with false on timeout. */
  private Future<Boolean> awaitEnd(Map<Integer, Long> ends, long deadline) {
    Promise<Boolean> done = Promise.promise();
    check(ends, deadline, done);
    return done.future();
  }

  private void check(Map<Integer, Long> ends, long deadline, Promise<Boolean> done) {
    stream.admin().describeGroup(replayGroup).onComplete(ar -> {
      if (ar.succeeded() && reachedEnd(ar.result(), ends)) {
        done.complete(true);
      } else if (System.currentTimeMillis() > deadline) {
        done.complete(false);
      } else {
        vertx.setTimer(CHECK_MILLIS, id -> check(ends, deadline, done));
      }
    });
  }

  private static boolean reachedEnd(GroupDescription description, Map<Integer, Long> ends) {
    Map<Integer, Long> committed = new HashMap<>();
    description.partitions().forEach(p -> committed.put(p.partition(), p.committed()));
    return ends.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), -1L) >= e.getValue());
  }

  private Future<Map<Integer, TopicDescription.PartitionRange>> ranges(String topic) {
    return stream.admin().listTopics().map(topics -> {
      Map<Integer, TopicDescription.PartitionRange> ranges = new HashMap<>();
      for (TopicDescription description : topics) {
        if (description.name().equals(topic)) {
          description.partitions().forEach(p -> ranges.put(p.partition(), p));
        }
      }
      return ranges;
    });
  }

  private static long total(Map<Integer, TopicDescription.PartitionRange> ranges) {
    return ranges.values().stream().mapToLong(TopicDescription.PartitionRange::endOffset).sum();
  }
}
