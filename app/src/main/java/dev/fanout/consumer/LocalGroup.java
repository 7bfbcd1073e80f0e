package dev.fanout.consumer;

import dev.fanout.events.BlogEvent;
import dev.fanout.faults.FaultInjector;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamRecord;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's part of one consumer group: its members (one {@link EventConsumerVerticle} each), its
 * sink behind a {@link SinkGuard}, its dead letters and its figures.
 *
 * <p>A batch goes through: decode (an undecodable record is dead-lettered at once: decoding it again
 * gives the same answer) → the sink, under the breaker, with retries for transient failures → on a
 * permanent failure, the events one by one, each with its own retry budget, so that only the bad one is
 * dead-lettered and the partition moves on. A transient failure that outlasts the budget fails the batch:
 * the stream redelivers it, nothing is dead-lettered because a sink is down.
 *
 * <p>While the sink's circuit is open the group's members are paused (lag grows, nothing is lost); they
 * resume when the breaker's wait is over, and the next batch is the probe. An operator's pause is kept
 * apart and wins. All methods are safe to call from any thread.
 */
public final class LocalGroup {

  private static final Logger LOG = LoggerFactory.getLogger(LocalGroup.class);
  /** How long a crashed member stays away before it joins again, as a restarted process would. */
  static final long REJOIN_AFTER_CRASH_MILLIS = 1_000;

  private final Vertx vertx;
  private final EventStream stream;
  private final String topic;
  private final String name;
  private final GroupSink sink;
  private final ResiliencePolicy policy;
  private final SinkGuard guard;
  private final GroupFigures figures;
  private final Set<EventConsumerVerticle> members = ConcurrentHashMap.newKeySet();
  private final Deque<String> deployments = new ConcurrentLinkedDeque<>();
  private final AtomicBoolean replaying = new AtomicBoolean();
  private volatile boolean pausedByOperator;
  // true from the breaker opening until its wait is over and the members were resumed
  private final AtomicBoolean waitingOnBreaker = new AtomicBoolean();

  public LocalGroup(Vertx vertx, EventStream stream, String topic, String name, GroupSink sink,
                    ResiliencePolicy policy, FaultInjector faults, MeterRegistry registry) {
    this.vertx = vertx;
    this.stream = stream;
    this.topic = topic;
    this.name = name;
    this.sink = sink;
    this.policy = policy;
    this.figures = new GroupFigures(registry, name, this::circuit);
    this.guard = new SinkGuard(vertx, name, policy, faults, figures.retried::increment);
    guard.breaker().getEventPublisher().onStateTransition(event -> {
      LOG.info("group {}: sink circuit {}", name, event.getStateTransition());
      if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        waitForBreaker();
      }
    });
  }

  public String name() {
    return name;
  }

  public String topic() {
    return topic;
  }

  public String deadLetterTopic() {
    return DeadLetters.topic(topic, name);
  }

  Vertx vertx() {
    return vertx;
  }

  EventStream stream() {
    return stream;
  }

  /** The sink's circuit: CLOSED, OPEN or HALF_OPEN. */
  public String circuit() {
    return guard.breaker().getState().name();
  }

  /** Handles one batch of the group's topic; see the class comment. */
  public Future<Void> handle(List<StreamRecord> batch) {
    List<StreamRecord> records = new ArrayList<>(batch.size());
    List<BlogEvent> events = new ArrayList<>(batch.size());
    List<Future<?>> deadLettered = new ArrayList<>();
    for (StreamRecord record : batch) {
      try {
        events.add(BlogEvent.decode(record.value()));
        records.add(record);
      } catch (RuntimeException e) {
        // InvalidEventException by contract; anything else from decoding is as permanent
        deadLettered.add(deadLetter(record, e, 1));
      }
    }
    return Future.all(deadLettered).compose(v -> events.isEmpty() ? Future.succeededFuture() : apply(records, events));
  }

  private Future<Void> apply(List<StreamRecord> records, List<BlogEvent> events) {
    return guard.call(() -> sink.apply(events), false)
        .onSuccess(v -> handled(events))
        .recover(e -> {
          if (!(e instanceof CallNotPermittedException) && Failures.isPermanent(e)) {
            LOG.warn("group {}: a batch of {} failed permanently ({}); applying its events one by one", name,
                events.size(), e.toString());
            return applyOneByOne(records, events, 0);
          }
          return failed(e, events.size());
        });
  }

  private Future<Void> applyOneByOne(List<StreamRecord> records, List<BlogEvent> events, int from) {
    if (from == events.size()) {
      return Future.succeededFuture();
    }
    BlogEvent event = events.get(from);
    return guard.call(() -> sink.apply(List.of(event)), true)
        .onSuccess(v -> handled(List.of(event)))
        .recover(e -> {
          if (!(e instanceof CallNotPermittedException) && Failures.isPermanent(e)) {
            return deadLetter(records.get(from), e, policy.attempts()).<Void>mapEmpty();
          }
          return failed(e, events.size() - from);
        })
        .compose(v -> applyOneByOne(records, events, from + 1));
  }

  private Future<Void> failed(Throwable e, int size) {
    if (e instanceof CallNotPermittedException) {
      LOG.debug("group {}: circuit {}, {} events wait", name, circuit(), size);
    } else {
      LOG.warn("group {}: {} events failed after retries, they will be redelivered: {}", name, size, e.toString());
    }
    return Future.failedFuture(e);
  }

  private void handled(List<BlogEvent> events) {
    figures.processed.increment(events.size());
    Instant now = Instant.now();
    for (BlogEvent event : events) {
      figures.latency.record(Duration.between(event.occurredAt(), now));
    }
  }

  private Future<?> deadLetter(StreamRecord record, Throwable error, int attempts) {
    LOG.warn("group {}: dead-lettering {} after {} attempt(s): {}", name, record, attempts, error.toString());
    return DeadLetters.send(stream, name, record, error, attempts).onSuccess(p -> figures.deadLettered.increment());
  }

  private void waitForBreaker() {
    if (!waitingOnBreaker.compareAndSet(false, true)) {
      return;
    }
    members.forEach(m -> m.pause());
    // a little after the breaker's own wait, so that the first batch finds it ready for a probe
    vertx.setTimer(policy.breakerWaitMillis() + 50, id -> {
      waitingOnBreaker.set(false);
      if (!pausedByOperator) {
        members.forEach(m -> m.resume());
      }
    });
  }

  // ---- members

  void joined(EventConsumerVerticle member) {
    members.add(member);
    if (pausedByOperator || waitingOnBreaker.get()) {
      member.pause();
    }
  }

  void left(EventConsumerVerticle member) {
    members.remove(member);
  }

  /** Deploys one more member of this group in this process; the group rebalances. */
  public Future<String> addMember() {
    return vertx.deployVerticle(new EventConsumerVerticle(this)).onSuccess(deployments::addLast);
  }

  /** Undeploys the newest member; it leaves cleanly. Refused for the last one: pause the group instead. */
  public Future<Void> removeMember() {
    if (deployments.size() <= 1) {
      return Future.failedFuture(new IllegalStateException("group " + name + " has a single member here; pause it instead"));
    }
    String id = deployments.pollLast();
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }

  /** Undeploys every member, newest first; each leaves the group cleanly. */
  public Future<Void> stop() {
    Future<Void> stopped = Future.succeededFuture();
    for (String id; (id = deployments.pollLast()) != null; ) {
      String deployment = id;
      stopped = stopped.compose(v -> vertx.undeploy(deployment)).recover(e -> Future.succeededFuture());
    }
    return stopped;
  }

  /**
   * Crashes one member as a killed process would (its in-flight batches are abandoned uncommitted and
   * redelivered to the partitions' next owners); it joins again {@value #REJOIN_AFTER_CRASH_MILLIS} ms
   * later, as a restarted process would.
   *
   * @return the crashed member's id
   */
  public Future<String> crashMember() {
    EventConsumerVerticle victim = members.stream().filter(m -> m.inFlight() > 0).findFirst()
        .orElse(members.stream().findFirst().orElse(null));
    if (victim == null) {
      return Future.failedFuture(new IllegalStateException("group " + name + " has no member here"));
    }
    return victim.crash(REJOIN_AFTER_CRASH_MILLIS);
  }

  public Future<Void> pause() {
    pausedByOperator = true;
    members.forEach(m -> m.pause());
    return Future.succeededFuture();
  }

  public Future<Void> resume() {
    pausedByOperator = false;
    if (!waitingOnBreaker.get()) {
      members.forEach(m -> m.resume());
    }
    return Future.succeededFuture();
  }

  /**
   * Re-delivers this group's dead letters, as they are now, to this group only; see
   * {@link DeadLetterReplay}. One replay at a time.
   */
  public Future<JsonObject> replayDeadLetters() {
    if (!replaying.compareAndSet(false, true)) {
      return Future.failedFuture(new IllegalStateException("a replay of group " + name + "'s dead letters is running"));
    }
    return new DeadLetterReplay(this, figures.replayed::increment).run().onComplete(ar -> replaying.set(false));
  }

  /** What /api/groups adds to the stream's view of the group. */
  public JsonObject toJson() {
    return figures.toJson()
        .put("circuit", circuit())
        .put("paused", pausedByOperator)
        .put("waitingOnCircuit", waitingOnBreaker.get())
        .put("localMembers", members.size())
        .put("batchesInFlight", members.stream().mapToInt(EventConsumerVerticle::inFlight).sum());
  }
}
