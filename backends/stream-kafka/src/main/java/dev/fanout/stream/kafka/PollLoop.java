package dev.fanout.stream.kafka;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The poll loop of one member: poll, hand the records to the member, send the commits the member has due,
 * poll again. Commits go out only between polls, never while one is in flight: Kafka changes a consumer's
 * assignment only inside poll, so a partition the member owns when a commit round starts is still
 * owned when the commit runs.
 *
 * <p>Not thread-safe: every method runs on the member's context, where the consumer's callbacks arrive.
 */
final class PollLoop {

  private static final System.Logger LOG = System.getLogger(PollLoop.class.getName());

  /** The member's side of the loop. */
  interface Member {

    /** Takes the records of one poll. */
    void accept(ConsumerRecords<String, byte[]> records);

    /** The offsets to commit now, per partition, taken from the member's queue; only partitions it owns. */
    Map<Integer, Long> commitsDue();

    /** Commits of {@link #commitsDue} that failed, to queue again for the next round. */
    void commitFailed(Map<Integer, Long> sent);
  }

  private final Vertx vertx;
  private final KafkaReadStream<String, byte[]> consumer;
  private final String topic;
  private final Duration pollTimeout;
  private final Member member;
  // completed after the next commit round
  private final List<Promise<Void>> roundWaiters = new ArrayList<>();
  private boolean pollInFlight;
  // set when the loop must stop at its next turn, after one more commit round
  private Promise<Void> stopWaiter;
  private boolean halted;
  // the failure of the latest poll, null once a poll succeeds
  private Throwable lastPollFailure;

  PollLoop(Vertx vertx, KafkaReadStream<String, byte[]> consumer, String topic, Duration pollTimeout,
           Member member) {
    this.vertx = vertx;
    this.consumer = consumer;
    this.topic = topic;
    this.pollTimeout = pollTimeout;
    this.member = member;
  }

  /** Starts polling; the consumer must be subscribed. */
  void start() {
    turn();
  }

  /** Completes after the next commit round succeeded; fails when it failed or the loop halted first. */
  Future<Void> nextRound() {
    Promise<Void> promise = Promise.promise();
    roundWaiters.add(promise);
    return promise.future();
  }

  /**
   * Stops the loop after one more commit round; completes when it stopped. A poll in flight is woken
   * so that this takes no time.
   */
  Future<Void> stop() {
    if (halted) {
      return Future.succeededFuture();
    }
    Promise<Void> waiter = Promise.promise();
    stopWaiter = waiter;
    if (pollInFlight) {
      consumer.unwrap().wakeup();
    }
    return waiter.future();
  }

  /** Why the latest poll failed, or null when it succeeded (or none ran yet). */
  Throwable lastPollFailure() {
    return lastPollFailure;
  }

  /** Ends the loop for good: nothing more is committed; a poll in flight is ignored when it returns. */
  void halt(String reason) {
    halted = true;
    roundWaiters.forEach(w -> w.tryFail(reason));
    roundWaiters.clear();
  }

  private void turn() {
    if (halted) {
      return;
    }
    commitRound().onComplete(ignored -> {
      if (stopWaiter != null) {
        Promise<Void> waiter = stopWaiter;
        stopWaiter = null;
        waiter.complete();
        return;
      }
      if (halted) {
        return;
      }
      pollInFlight = true;
      consumer.poll(pollTimeout).onComplete(ar -> {
        pollInFlight = false;
        if (halted) {
          return;
        }
        if (ar.succeeded()) {
          lastPollFailure = null;
          member.accept(ar.result());
          turn();
        } else {
          lastPollFailure = ar.cause();
          LOG.log(Level.WARNING, "poll failed: " + ar.cause());
          vertx.setTimer(pollTimeout.toMillis(), t -> turn());
        }
      });
    });
  }

  /** Sends the member's due commits; never fails, a failed commit is queued again. */
  private Future<Void> commitRound() {
    List<Promise<Void>> waiters = new ArrayList<>(roundWaiters);
    roundWaiters.clear();
    Map<Integer, Long> sent = member.commitsDue();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    sent.forEach((partition, offset) ->
        offsets.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)));
    if (offsets.isEmpty()) {
      waiters.forEach(Promise::tryComplete);
      return Future.succeededFuture();
    }
    return consumer.commit(offsets).transform(ar -> {
      if (ar.succeeded()) {
        waiters.forEach(Promise::tryComplete);
        return Future.succeededFuture();
      }
      member.commitFailed(sent);
      if (ar.cause() instanceof WakeupException) {
        // a wakeup meant for a poll hit the commit: nothing went wrong, go again
        roundWaiters.addAll(waiters);
        return commitRound();
      }
      LOG.log(Level.DEBUG, "commit failed, retrying at the next round: " + ar.cause());
      waiters.forEach(w -> w.tryFail(ar.cause()));
      return Future.succeededFuture();
    });
  }
}
