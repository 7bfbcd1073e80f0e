package dev.fanout.consumer;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a consumer group: joins the group once when deployed, hands every batch to the group's
 * pipeline (a {@link BatchHandler}) and tells its {@link LocalMembers} when it joins and leaves. Offsets
 * are committed when the pipeline's future succeeds.
 */
final class EventConsumerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(EventConsumerVerticle.class);
  /** How long a stopping member waits for its in-flight batches before it abandons them. */
  static final long LEAVE_TIMEOUT_MILLIS = 10_000;

  private final EventStream stream;
  private final SubscribeOptions options;
  private final BatchHandler pipeline;
  private final LocalMembers members;
  // written on this verticle's context, read from any thread
  private volatile GroupMember member;
  private volatile boolean stopping;
  // the latest join, which stop() waits for; accessed on this verticle's context
  private Future<GroupMember> joining = Future.succeededFuture();
  private final AtomicInteger inFlight = new AtomicInteger();

  EventConsumerVerticle(EventStream stream, SubscribeOptions options, BatchHandler pipeline, LocalMembers members) {
    this.stream = stream;
    this.options = options;
    this.pipeline = pipeline;
    this.members = members;
  }

  @Override
  public Future<?> start() {
    return join();
  }

  // A join that completes after stop() began (a re-join after a crash) leaves at once: stop() may have
  // found no member to leave, and nobody else would ever stop this one.
  private Future<GroupMember> join() {
    Future<GroupMember> joined = stream.subscribe(options, this::handle).compose(m -> {
      if (stopping) {
        return m.leave().transform(ar -> Future.failedFuture(new IllegalStateException("stopped while joining")));
      }
      member = m;
      members.joined(this);
      return Future.succeededFuture(m);
    });
    joining = joined;
    return joined;
  }

  private Future<Void> handle(List<StreamRecord> batch) {
    inFlight.incrementAndGet();
    return pipeline.handle(batch).onComplete(ar -> inFlight.decrementAndGet());
  }

  /** Whether {@link #stop()} has begun. */
  boolean stopping() {
    return stopping;
  }

  /** Batches of this member being handled now. */
  int inFlight() {
    return inFlight.get();
  }

  void pause() {
    GroupMember m = member;
    if (m != null) {
      m.pause();
    }
  }

  void resume() {
    GroupMember m = member;
    if (m != null) {
      m.resume();
    }
  }

  /** Crashes the member now and joins again after {@code rejoinMillis}; returns the crashed member's id. */
  Future<String> crash(long rejoinMillis) {
    GroupMember m = member;
    if (m == null) {
      return Future.failedFuture(new IllegalStateException("member is not in its group"));
    }
    member = null;
    members.left(this);
    LOG.info("group {}: crashing member {}", options.group(), m.memberId());
    return m.crash().map(v -> {
      vertx.setTimer(rejoinMillis, id -> {
        if (!stopping) {
          join().onFailure(e -> {
            if (!stopping) {
              LOG.error("group {}: a crashed member could not join again", options.group(), e);
            }
          });
        }
      });
      return m.memberId();
    });
  }

  /**
   * Leaves the group cleanly, letting in-flight batches finish and commit; a batch still running after
   * {@value #LEAVE_TIMEOUT_MILLIS} ms is abandoned (its records are redelivered to the next owner).
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    members.left(this);
    GroupMember m = member;
    if (m == null) {
      // a re-join may be in flight: it leaves by itself when it completes
      return joining.otherwiseEmpty().mapEmpty();
    }
    Promise<Void> stopped = Promise.promise();
    long timer = vertx.setTimer(LEAVE_TIMEOUT_MILLIS, id -> {
      LOG.warn("group {}: in-flight batches did not finish within {} ms; abandoning them", options.group(),
          LEAVE_TIMEOUT_MILLIS);
      m.crash().onComplete(ar -> stopped.tryComplete());
    });
    m.leave().onComplete(ar -> {
      vertx.cancelTimer(timer);
      stopped.tryComplete();
    });
    return stopped.future();
  }
}
