package dev.fanout.stream.kafka;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.kafka.MemberState.Batch;
import dev.fanout.stream.kafka.MemberState.Grant;
import dev.fanout.stream.kafka.MemberState.Retry;
import dev.fanout.stream.kafka.MemberState.Steps;
import dev.fanout.stream.spi.Calls;
import dev.fanout.stream.spi.OnContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One group member: the driver of one Kafka consumer. {@link MemberState} decides (what to hand out, pause,
 * seek and commit, and which reports are stale); this class performs it: it runs the {@link PollLoop},
 * hands batches to the handler, seeks, pauses and resumes fetching, waits for batches in flight, and leaves.
 *
 * <p>How the guarantees are kept:
 * <ul>
 *   <li>The consumer runs on vertx-kafka-client's single worker thread, which executes poll, commit,
 *       seek and pause tasks one after another. Kafka changes the assignment only inside poll, and its
 *       rebalance callbacks reach this context before the poll's records do.</li>
 *   <li>Commits are sent only between polls (never while one is in flight), and only for partitions
 *       this member still owns (see {@link PollLoop}).</li>
 *   <li>Before Kafka revokes a partition, {@link MemberConsumer} makes the rebalance wait (up to
 *       {@code revocation.wait.ms}) until the partition's batches in flight ended, and commits their
 *       successful prefix; so the next owner starts after it, from the committed offset. A batch that
 *       outlives the wait is abandoned: its grant is stale once the partition went, and its end is ignored.</li>
 *   <li>Each partition has at most {@code maxBatchesInFlight} batches in flight; its buffer is bounded, and
 *       fetching of a partition pauses while its buffer is full or a failed batch waits for its retry.</li>
 *   <li>A failed batch blocks its partition; once its other batches in flight ended, it waits
 *       {@code retryDelayMs}, then the consumer seeks back to the committed offset (the end of the
 *       successful prefix).</li>
 * </ul>
 *
 * <p>The public methods may be called from any thread; their futures complete on the caller's context, or
 * on the member's when called outside one.
 */
final class KafkaGroupMember implements GroupMember {

  private static final System.Logger LOG = System.getLogger(KafkaGroupMember.class.getName());

  private final KafkaEventStream stream;
  private final Vertx vertx;
  private final Context context;
  private final KafkaStreamOptions options;
  private final SubscribeOptions subscription;
  private final BatchHandler handler;
  private final String memberId;
  private final Promise<GroupMember> joined = Promise.promise();

  // accessed on context
  private final MemberState state;
  // accessed on context
  private KafkaReadStream<String, byte[]> consumer;
  // accessed on context; only its thread-safe takeStartPosition is called from here
  private MemberConsumer nativeConsumer;
  // accessed on context; null until the consumer is subscribed
  private PollLoop loop;
  // accessed on context: completed when the grant's batch in flight ends or the grant goes
  private final Map<Grant, List<Promise<Void>>> idleWaiters = new HashMap<>();
  // accessed on context: batches taken from the state and not handed to the handler yet, and whether
  // perform is handing them out (further up the stack)
  private final ArrayDeque<Batch> toHandOut = new ArrayDeque<>();
  private boolean handingOut;
  // accessed on context: the future of leave/crash once one was called
  private Future<Void> stopped;
  // written on context, read by any thread
  private volatile Set<Integer> assignmentSnapshot = Set.of();
  // written by any thread
  private volatile boolean paused;
  // written on context, read by any thread: false once the member started leaving
  private volatile boolean active = true;

  KafkaGroupMember(KafkaEventStream stream, Vertx vertx, Context context, KafkaStreamOptions options,
                   SubscribeOptions subscription, BatchHandler handler, String memberId) {
    this.stream = stream;
    this.vertx = vertx;
    this.context = context;
    this.options = options;
    this.subscription = subscription;
    this.handler = handler;
    this.memberId = memberId;
    this.state = new MemberState(subscription.maxBatchSize(), subscription.maxBatchSize() * options.bufferedBatches(),
        subscription.maxBatchesInFlight());
  }

  /**
   * Creates the consumer, subscribes and starts the poll loop. Completes once the member received its
   * first assignment (possibly empty) and knows where each assigned partition starts. Fails with a
   * {@link TimeoutException} when that takes longer than {@code subscribe.timeout.ms}, and with whatever
   * else went wrong; either way only after the member left again (its consumer closed), so a failed
   * subscribe leaves nothing behind in the group.
   */
  Future<GroupMember> start() {
    return OnContext.call(context, () -> {
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
                  public Map<Integer, Long> commitsDue() {
                    return state.commitsDue();
                  }

                  @Override
                  public void commitFailed(Map<Integer, Long> sent) {
                    state.commitFailed(sent);
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
      return OnContext.call(context, () -> {
        state.pause(paused);
        return Future.succeededFuture();
      });
    });
  }

  @Override
  public Future<Void> resume() {
    return Calls.call(() -> {
      paused = false;
      return OnContext.call(context, () -> {
        state.pause(paused);
        perform(state.nextSteps());
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

  /** True until the member starts leaving; a snapshot, readable from any thread. */
  boolean active() {
    return active;
  }

  /**
   * Moves the partitions of {@code targets} that this member owns: waits for their batches in flight,
   * drops what is buffered, seeks, and commits the new offsets through the group (the coordinator
   * refuses admin offset changes while the group has members). Batches of other partitions go on.
   *
   * @return the partitions moved; those not owned (any more) are left to the caller
   */
  Future<Set<Integer>> moveTo(Map<Integer, Long> targets) {
    return OnContext.call(context, () -> {
      if (state.phase() != MemberState.Phase.ACTIVE) {
        return Future.succeededFuture(Set.of());
      }
      List<Grant> held = state.holdForReset(targets.keySet());
      return whenIdle(held).transform(ignored -> {
        Set<Integer> moved = new TreeSet<>();
        List<Future<Void>> seeks = new ArrayList<>();
        for (Grant grant : held) {
          state.restartAt(grant, targets.get(grant.partition())).ifPresent(seek -> {
            seeks.add(consumer.seek(topicPartition(grant.partition()), seek.offset())
                .andThen(ar -> state.seekDone(grant)));
            moved.add(grant.partition());
          });
        }
        Future<Void> committed = loop.nextRound();
        return Future.all(seeks).compose(v -> committed).map(v -> (Set<Integer>) moved)
            .eventually(() -> {
              perform(state.nextSteps());
              return Future.succeededFuture();
            });
      });
    });
  }

  // ---- records and rebalances, on context ----

  private void accept(ConsumerRecords<String, byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      List<StreamRecord> fetched = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
        fetched.add(RecordCodec.fromKafka(record));
      }
      for (MemberState.Moved moved : state.fetched(tp.partition(), fetched)) {
        // Kafka reset the position itself (auto.offset.reset): the offset had left the log
        LOG.log(Level.INFO, "member " + memberId + " of group " + subscription.group() + ": partition "
            + tp + " moved from offset " + moved.expected() + " to " + moved.actual() + " by itself (the"
            + " offset left the log); following it");
        stream.countOffsetReset(subscription.group());
      }
    }
    perform(state.nextSteps());
  }

  private void assigned(Set<TopicPartition> partitions) {
    List<Grant> lookups = state.assigned(partitionsOf(partitions),
        partition -> nativeConsumer.takeStartPosition(topicPartition(partition)));
    List<Future<Long>> positions = new ArrayList<>();
    for (Grant grant : lookups) {
      // the position resolves the committed offset or the start position now, so records written after
      // the subscription completes are never skipped by a later "latest"
      positions.add(consumer.position(topicPartition(grant.partition()))
          .onSuccess(position -> state.positionKnown(grant, position)));
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
      List<Grant> held = state.holdForRevoke(partitionsOf(partitions));
      whenIdle(held).onComplete(ignored -> {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        state.commitsBeforeRevoke(held).forEach((partition, offset) ->
            offsets.put(topicPartition(partition), new OffsetAndMetadata(offset)));
        result.complete(offsets);
      });
    });
    return result;
  }

  private void revoked(Set<TopicPartition> partitions) {
    state.revoked(partitionsOf(partitions)).forEach(this::releaseWaiters);
    publishAssignment();
  }

  // ---- doing what the state decided, on context ----

  private void perform(Steps steps) {
    // Fetching first: a handler that completes at once ends its batch inside handOut, which performs newer
    // steps; pausing after them would undo their resume, and the partition would never be fetched again.
    // A partition revoked meanwhile makes the consumer refuse; its state went with it, nothing to undo.
    if (!steps.pause().isEmpty()) {
      consumer.pause(topicPartitions(steps.pause())).onFailure(e -> LOG.log(Level.DEBUG, "pause refused: " + e));
    }
    if (!steps.resume().isEmpty()) {
      consumer.resume(topicPartitions(steps.resume())).onFailure(e -> LOG.log(Level.DEBUG, "resume refused: " + e));
    }
    // Batches go out in the order the state took them: a handler that completes at once makes handOut
    // perform newer steps, whose batches of the same partition must wait behind the ones taken before.
    toHandOut.addAll(steps.batches());
    if (handingOut) {
      return;
    }
    handingOut = true;
    try {
      Batch batch;
      while ((batch = toHandOut.pollFirst()) != null) {
        handOut(batch);
      }
    } finally {
      handingOut = false;
    }
  }

  private void handOut(Batch batch) {
    Future<Void> result;
    try {
      result = handler.handle(batch.records());
      if (result == null) {
        result = Future.failedFuture(new NullPointerException("the batch handler returned no future"));
      }
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> OnContext.run(context, () -> {
      state.batchDone(batch, ar.succeeded()).ifPresent(retry ->
          vertx.setTimer(Math.max(1, subscription.retryDelayMs()), t -> retry(retry)));
      if (!state.inFlight(batch.grant())) {
        releaseWaiters(batch.grant());
      }
      perform(state.nextSteps());
    }));
  }

  private void retry(Retry retry) {
    // a retry made stale by a reset must not seek: the reset's seek went to where the feed now expects
    state.retryDue(retry).ifPresent(seek ->
        consumer.seek(topicPartition(seek.grant().partition()), seek.offset()).onComplete(ar -> {
          if (ar.failed()) {
            LOG.log(Level.WARNING, "seek failed for member " + memberId + ": " + ar.cause());
          }
          if (state.retrySeekDone(retry)) {
            perform(state.nextSteps());
          }
        }));
  }

  // ---- leaving, on context ----

  private Future<Void> stop(boolean crash) {
    return OnContext.call(context, () -> {
      if (crash && state.crash()) {
        // abandon batches in flight: whoever waits for them stops waiting
        new ArrayList<>(idleWaiters.keySet()).forEach(this::releaseWaiters);
      }
      if (stopped != null) {
        return stopped;
      }
      active = false;
      stopped = whenIdle(state.stopping())
          .transform(ignored -> loop == null ? Future.<Void>succeededFuture() : loop.stop())
          .transform(ignored -> consumer == null ? Future.<Void>succeededFuture() : consumer.close())
          .eventually(() -> {
            state.close();
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

  // ---- small helpers, on context ----

  // Completes once none of the grants has a batch in flight (all ended, or the grant went stale).
  private Future<Void> whenIdle(List<Grant> grants) {
    List<Future<Void>> idle = new ArrayList<>();
    for (Grant grant : grants) {
      if (state.inFlight(grant)) {
        Promise<Void> promise = Promise.promise();
        idleWaiters.computeIfAbsent(grant, g -> new ArrayList<>()).add(promise);
        idle.add(promise.future());
      }
    }
    return Future.join(idle).mapEmpty();
  }

  private void releaseWaiters(Grant grant) {
    List<Promise<Void>> waiters = idleWaiters.remove(grant);
    if (waiters != null) {
      waiters.forEach(Promise::tryComplete);
    }
  }

  private void publishAssignment() {
    assignmentSnapshot = Collections.unmodifiableSet(state.assignment());
  }

  private List<Integer> partitionsOf(Collection<TopicPartition> partitions) {
    List<Integer> result = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      if (tp.topic().equals(subscription.topic())) {
        result.add(tp.partition());
      }
    }
    return result;
  }

  private TopicPartition topicPartition(int partition) {
    return new TopicPartition(subscription.topic(), partition);
  }

  private Set<TopicPartition> topicPartitions(Set<Integer> partitions) {
    Set<TopicPartition> result = new HashSet<>();
    partitions.forEach(p -> result.add(topicPartition(p)));
    return result;
  }

  @Override
  public String toString() {
    return "KafkaGroupMember[" + memberId + " of " + subscription.group() + " on " + subscription.topic() + "]";
  }
}
