package dev.fanout.stream.kafka;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.spi.Calls;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One group member: one Kafka consumer, driven by a {@link PollLoop} on the member's context; this
 * class hands out batches, keeps one {@link PartitionFeed} per owned partition, and leaves.
 *
 * <p>How the guarantees are kept:
 * <ul>
 *   <li>The consumer runs on vertx-kafka-client's single worker thread, which executes poll, commit,
 *       seek and pause tasks one after another. Kafka changes the assignment only inside poll, and its
 *       rebalance callbacks reach this context before the poll's records do.</li>
 *   <li>Commits are sent only between polls (never while one is in flight), and only for partitions
 *       this member still owns (see {@link PollLoop}).</li>
 *   <li>Before Kafka revokes a partition, {@link MemberConsumer} makes the rebalance wait (up to
 *       {@code revocation.wait.ms}) until the partition's batch in flight ended, and commits it; so the
 *       next owner starts after it, from the committed offset. A batch that outlives the wait is
 *       abandoned: its {@link PartitionFeed} is gone, and its commit is dropped.</li>
 *   <li>Each partition has at most one batch in flight; its buffer is bounded, and fetching of a
 *       partition pauses while its buffer is full or a failed batch waits for its retry.</li>
 *   <li>A failed batch blocks its partition for {@code retryDelayMs}, then the consumer seeks back to the
 *       batch's first offset, which is the committed offset (everything before it succeeded).</li>
 * </ul>
 *
 * <p>The public methods may be called from any thread; their futures complete on the member's context.
 */
final class KafkaGroupMember implements GroupMember {

  private static final System.Logger LOG = System.getLogger(KafkaGroupMember.class.getName());

  private enum Phase { ACTIVE, STOPPING, CLOSED }

  private final KafkaEventStream stream;
  private final Vertx vertx;
  private final Context context;
  private final KafkaStreamOptions options;
  private final SubscribeOptions subscription;
  private final BatchHandler handler;
  private final String memberId;
  private final Promise<GroupMember> joined = Promise.promise();

  // accessed on context
  private KafkaReadStream<String, byte[]> consumer;
  // accessed on context; only its thread-safe takeStartPosition is called from here
  private MemberConsumer nativeConsumer;
  // accessed on context; null until the consumer is subscribed
  private PollLoop loop;
  // accessed on context: the partitions owned now, each with its state
  private final Map<Integer, PartitionFeed> feeds = new HashMap<>();
  // accessed on context: partitions whose fetching is paused in the consumer
  private final Set<Integer> fetchPaused = new HashSet<>();
  // accessed on context: completed when the partition's batch in flight ends or the partition goes
  private final Map<Integer, List<Promise<Void>>> idleWaiters = new HashMap<>();
  // accessed on context
  private Phase phase = Phase.ACTIVE;
  // accessed on context: in-flight batches are abandoned, not committed
  private boolean crashed;
  // accessed on context: the future of leave/crash once one was called
  private Future<Void> stopped;
  // written on context, read by any thread
  private volatile Set<Integer> assignmentSnapshot = Set.of();
  // written by any thread
  private volatile boolean paused;

  KafkaGroupMember(KafkaEventStream stream, Vertx vertx, Context context, KafkaStreamOptions options,
                   SubscribeOptions subscription, BatchHandler handler, String memberId) {
    this.stream = stream;
    this.vertx = vertx;
    this.context = context;
    this.options = options;
    this.subscription = subscription;
    this.handler = handler;
    this.memberId = memberId;
  }

  /**
   * Creates the consumer, subscribes and starts the poll loop. Completes once the member received its
   * first assignment (possibly empty) and knows where each assigned partition starts. Fails with a
   * {@link TimeoutException} when that takes longer than {@code subscribe.timeout.ms}, and with whatever
   * else went wrong; either way only after the member left again (its consumer closed), so a failed
   * subscribe leaves nothing behind in the group.
   */
  Future<GroupMember> start() {
    return onContext(() -> {
      long timer = vertx.setTimer(options.subscribeTimeout().toMillis(), t -> joined.tryFail(notJoined()));
      return context.executeBlocking(() -> new MemberConsumer(
              options.consumerProperties(subscription.group(), memberId, subscription.startFrom()),
              this::finishBeforeRevoke, options.revocationWait()))
          .compose(created -> {
            nativeConsumer = created;
            // created on this context, so the stream's callbacks run here
            consumer = KafkaReadStream.create(vertx, created);
            consumer.partitionsAssignedHandler(this::assigned);
            consumer.partitionsRevokedHandler(this::revoked);
            return consumer.subscribe(Set.of(subscription.topic()));
          })
          .compose(v -> {
            loop = new PollLoop(vertx, consumer, subscription.topic(), options.pollTimeout(),
                new PollLoop.Member() {
                  @Override
                  public void accept(ConsumerRecords<String, byte[]> records) {
                    KafkaGroupMember.this.accept(records);
                  }

                  @Override
                  public boolean owns(int partition) {
                    return feeds.containsKey(partition);
                  }
                });
            loop.start();
            return joined.future();
          })
          .andThen(ar -> vertx.cancelTimer(timer))
          .recover(failure -> {
            joined.tryFail(failure);
            // leave as a crashed member would: nothing was handed out, nothing is waited for
            return stop(true).transform(ignored -> Future.failedFuture(failure));
          });
    });
  }

  // On context: why subscribe gives up, with the latest poll failure, which usually says why.
  private TimeoutException notJoined() {
    Throwable pollFailure = loop == null ? null : loop.lastPollFailure();
    return new TimeoutException("member " + memberId + " of group '" + subscription.group()
        + "' got no assignment of topic '" + subscription.topic() + "' within "
        + options.subscribeTimeout().toMillis() + " ms (subscribe.timeout.ms)"
        + (pollFailure == null ? "" : "; its latest poll failed: " + pollFailure));
  }

  @Override
  public String memberId() {
    return memberId;
  }

  @Override
  public String group() {
    return subscription.group();
  }

  @Override
  public String topic() {
    return subscription.topic();
  }

  @Override
  public Set<Integer> assignment() {
    return assignmentSnapshot;
  }

  @Override
  public Future<Void> pause() {
    return Calls.call(() -> {
      paused = true;
      return onContext(Future::succeededFuture);
    });
  }

  @Override
  public Future<Void> resume() {
    return Calls.call(() -> {
      paused = false;
      return onContext(() -> {
        dispatchAll();
        return Future.succeededFuture();
      });
    });
  }

  @Override
  public boolean paused() {
    return paused;
  }

  @Override
  public Future<Void> leave() {
    return Calls.call(() -> stop(false));
  }

  @Override
  public Future<Void> crash() {
    return Calls.call(() -> stop(true));
  }

  boolean active() {
    return phase == Phase.ACTIVE;
  }

  /**
   * Moves the partitions of {@code targets} that this member owns: waits for their batches in flight,
   * drops what is buffered, seeks, and commits the new offsets through the group (the coordinator
   * refuses admin offset changes while the group has members). Batches of other partitions go on.
   *
   * @return the partitions moved; those not owned (any more) are left to the caller
   */
  Future<Set<Integer>> moveTo(Map<Integer, Long> targets) {
    return onContext(() -> {
      if (phase != Phase.ACTIVE) {
        return Future.succeededFuture(Set.of());
      }
      List<PartitionFeed> held = new ArrayList<>();
      List<Future<Void>> idle = new ArrayList<>();
      for (Map.Entry<Integer, Long> target : targets.entrySet()) {
        PartitionFeed feed = feeds.get(target.getKey());
        if (feed != null) {
          feed.hold();
          held.add(feed);
          idle.add(whenIdle(feed));
        }
      }
      return Future.join(idle).transform(ignored -> {
        Set<Integer> moved = new TreeSet<>();
        List<Future<Void>> seeks = new ArrayList<>();
        for (PartitionFeed feed : held) {
          if (feeds.get(feed.partition()) != feed) {
            continue;
          }
          long offset = targets.get(feed.partition());
          feed.restartAt(offset);
          loop.commitLater(feed.partition(), offset);
          seeks.add(consumer.seek(topicPartition(feed.partition()), offset).andThen(ar -> {
            if (feeds.get(feed.partition()) == feed) {
              feed.seekDone();
            }
          }));
          moved.add(feed.partition());
        }
        Future<Void> committed = loop.nextRound();
        return Future.all(seeks).compose(v -> committed).map(v -> (Set<Integer>) moved)
            .eventually(() -> {
              dispatchAll();
              return Future.succeededFuture();
            });
      });
    });
  }

  // ---- records and rebalances, on context ----

  private void accept(ConsumerRecords<String, byte[]> records) {
    if (phase == Phase.CLOSED) {
      return;
    }
    for (TopicPartition tp : records.partitions()) {
      PartitionFeed feed = feeds.get(tp.partition());
      if (feed == null) {
        continue;
      }
      for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
        long expected = feed.expected();
        if (feed.offer(RecordCodec.fromKafka(record)) == PartitionFeed.Offer.MOVED) {
          // Kafka reset the position itself (auto.offset.reset): the offset had left the log
          LOG.log(Level.INFO, "member " + memberId + " of group " + subscription.group() + ": partition "
              + tp + " moved from offset " + expected + " to " + record.offset() + " by itself (the offset"
              + " left the log); following it");
          stream.countOffsetReset(subscription.group());
        }
      }
    }
    dispatchAll();
  }

  private void assigned(Set<TopicPartition> partitions) {
    if (phase == Phase.CLOSED) {
      return;
    }
    int bufferLimit = subscription.maxBatchSize() * options.bufferedBatches();
    List<Future<Long>> positions = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      if (!tp.topic().equals(subscription.topic()) || feeds.containsKey(tp.partition())) {
        continue;
      }
      PartitionFeed feed = new PartitionFeed(tp.partition(), subscription.maxBatchSize(), bufferLimit);
      feeds.put(tp.partition(), feed);
      Long start = nativeConsumer.takeStartPosition(tp);
      if (start != null) {
        feed.positionKnown(start);
        continue;
      }
      // the position resolves the committed offset or the start position now, so records written after
      // the subscription completes are never skipped by a later "latest"
      positions.add(consumer.position(tp).onSuccess(position -> {
        if (feeds.get(tp.partition()) == feed) {
          feed.positionKnown(position);
        }
      }));
    }
    publishAssignment();
    Future.join(positions).onComplete(ignored -> joined.tryComplete(this));
  }

  /**
   * Called on the consumer's thread when Kafka revokes {@code partitions}: holds back their next batches
   * and completes, once their batches in flight ended, with the offsets still to commit for them. A
   * crashed member commits nothing.
   */
  private CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> finishBeforeRevoke(
      Collection<TopicPartition> partitions) {
    CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      List<PartitionFeed> held = new ArrayList<>();
      List<Future<Void>> idle = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        PartitionFeed feed = feeds.get(tp.partition());
        if (feed != null && tp.topic().equals(subscription.topic()) && !crashed) {
          feed.hold();
          held.add(feed);
          idle.add(whenIdle(feed));
        }
      }
      Future.join(idle).onComplete(ignored -> {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionFeed feed : held) {
          Long offset = loop == null ? null : loop.takeCommit(feed.partition());
          if (offset != null && !crashed && feeds.get(feed.partition()) == feed) {
            offsets.put(topicPartition(feed.partition()), new OffsetAndMetadata(offset));
          }
        }
        result.complete(offsets);
      });
    });
    return result;
  }

  private void revoked(Set<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      int p = tp.partition();
      feeds.remove(p);
      if (loop != null) {
        loop.forget(p);
      }
      fetchPaused.remove(p);
      completeIdleWaiters(p);
    }
    publishAssignment();
  }

  // ---- batches, on context ----

  private void dispatchAll() {
    for (PartitionFeed feed : new ArrayList<>(feeds.values())) {
      dispatch(feed);
    }
    updateFetching();
  }

  private void dispatch(PartitionFeed feed) {
    if (phase != Phase.ACTIVE || paused || !feed.ready()) {
      return;
    }
    List<StreamRecord> batch = feed.take();
    Future<Void> result;
    try {
      result = handler.handle(batch);
      if (result == null) {
        result = Future.failedFuture(new NullPointerException("the batch handler returned no future"));
      }
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> runOnContext(() -> batchDone(feed, batch, ar)));
  }

  private void batchDone(PartitionFeed feed, List<StreamRecord> batch, AsyncResult<Void> result) {
    if (crashed || feeds.get(feed.partition()) != feed) {
      return; // abandoned: the partition was revoked or the member crashed, nothing is committed
    }
    if (result.succeeded()) {
      feed.succeeded();
      loop.commitLater(feed.partition(), batch.get(batch.size() - 1).offset() + 1);
    } else {
      long token = feed.failed(batch.get(0).offset());
      vertx.setTimer(Math.max(1, subscription.retryDelayMs()), t -> retry(feed, token));
    }
    completeIdleWaiters(feed.partition());
    dispatch(feed);
    updateFetching();
  }

  private void retry(PartitionFeed feed, long token) {
    // a retry made stale by a reset must not seek: the reset's seek went to where the feed now expects
    if (phase == Phase.CLOSED || feeds.get(feed.partition()) != feed || !feed.awaitsRetry(token)) {
      return;
    }
    consumer.seek(topicPartition(feed.partition()), feed.expected()).onComplete(ar -> {
      if (feeds.get(feed.partition()) != feed) {
        return;
      }
      if (ar.failed()) {
        LOG.log(Level.WARNING, "seek failed for member " + memberId + ": " + ar.cause());
      }
      if (feed.retry(token)) {
        updateFetching();
      }
    });
  }

  private void updateFetching() {
    if (phase == Phase.CLOSED) {
      return;
    }
    Set<TopicPartition> pause = new HashSet<>();
    Set<TopicPartition> resume = new HashSet<>();
    for (PartitionFeed feed : feeds.values()) {
      boolean wanted = feed.wantsPause();
      if (wanted && fetchPaused.add(feed.partition())) {
        pause.add(topicPartition(feed.partition()));
      } else if (!wanted && fetchPaused.remove(feed.partition())) {
        resume.add(topicPartition(feed.partition()));
      }
    }
    // a partition revoked meanwhile makes the consumer refuse; its state went with it, nothing to undo
    if (!pause.isEmpty()) {
      consumer.pause(pause).onFailure(e -> LOG.log(Level.DEBUG, "pause refused: " + e));
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume).onFailure(e -> LOG.log(Level.DEBUG, "resume refused: " + e));
    }
  }

  // ---- leaving, on context ----

  private Future<Void> stop(boolean crash) {
    return onContext(() -> {
      if (crash && !crashed) {
        crashed = true;
        // abandon batches in flight: whoever waits for them stops waiting
        new ArrayList<>(idleWaiters.keySet()).forEach(this::completeIdleWaiters);
      }
      if (stopped != null) {
        return stopped;
      }
      phase = Phase.STOPPING;
      List<Future<Void>> idle = new ArrayList<>();
      if (!crashed) {
        for (PartitionFeed feed : feeds.values()) {
          idle.add(whenIdle(feed));
        }
      }
      stopped = Future.join(idle)
          .transform(ignored -> loop == null ? Future.<Void>succeededFuture() : loop.stop())
          .transform(ignored -> consumer == null ? Future.<Void>succeededFuture() : consumer.close())
          .eventually(() -> {
            phase = Phase.CLOSED;
            feeds.clear();
            if (loop != null) {
              loop.halt("member " + memberId + " left the group");
            }
            publishAssignment();
            joined.tryFail("member " + memberId + " left before its first assignment");
            stream.forget(this);
            return Future.succeededFuture();
          });
      return stopped;
    });
  }

  // ---- small helpers ----

  private Future<Void> whenIdle(PartitionFeed feed) {
    if (!feed.inFlight()) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    idleWaiters.computeIfAbsent(feed.partition(), p -> new ArrayList<>()).add(promise);
    return promise.future();
  }

  private void completeIdleWaiters(int partition) {
    List<Promise<Void>> waiters = idleWaiters.remove(partition);
    if (waiters != null) {
      waiters.forEach(Promise::tryComplete);
    }
  }

  private void publishAssignment() {
    assignmentSnapshot = Collections.unmodifiableSet(new TreeSet<>(feeds.keySet()));
  }

  private TopicPartition topicPartition(int partition) {
    return new TopicPartition(subscription.topic(), partition);
  }

  private void runOnContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /** Runs {@code action} on the member's context; the future is bound to it, so callbacks run there too. */
  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> promise = ((ContextInternal) context).promise();
    runOnContext(() -> {
      try {
        action.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  @Override
  public String toString() {
    return "KafkaGroupMember[" + memberId + " of " + subscription.group() + " on " + subscription.topic() + "]";
  }
}
