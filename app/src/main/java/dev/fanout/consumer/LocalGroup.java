package dev.fanout.consumer;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.tracing.Tracing;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's part of one consumer group: its members (one {@link EventConsumerVerticle} each, all
 * handing their batches to one {@link GroupPipeline}), its sink's guard, and the group's controls (add,
 * remove, crash a member, pause, resume, replay dead letters).
 *
 * <p>While the sink's circuit is open the group's members are paused (lag grows, nothing is lost); they
 * resume when the breaker's wait is over, and the next batch is the probe. An operator's pause is kept
 * apart and wins ({@link PauseState}). Every sink call is bounded by the policy's
 * {@link ResiliencePolicy#sinkTimeoutMillis() sink timeout} ({@link BoundedSink}), so a hung call cannot hold
 * the group's one shared call, and with it every partition of the group here, for longer than that. All
 * methods are safe to call from any thread.
 */
public final class LocalGroup {

  private static final Logger LOG = LoggerFactory.getLogger(LocalGroup.class);
  /** How long a crashed member stays away before it joins again, as a restarted process would. */
  static final long REJOIN_AFTER_CRASH_MILLIS = 1_000;

  private final Vertx vertx;
  private final EventStream stream;
  private final String name;
  private final GroupSpec spec;
  private final ResiliencePolicy policy;
  private final SinkGuard guard;
  private final GroupMetrics metrics;
  private final GroupPipeline pipeline;
  private final SubscribeOptions subscription;
  private final LocalMembers members = new LocalMembers();
  private final Deque<String> deployments = new ConcurrentLinkedDeque<>();
  private final AtomicBoolean replaying = new AtomicBoolean();

  /**
   * @param topic       the topic the group reads
   * @param spec        the group: its name on the stream, sink, retry policy and dispatch
   * @param interceptor stands between the group and its sink on every attempt ({@link SinkInterceptor#NONE}
   *                    for none)
   * @param trail       where the group traces its trouble with single events ({@link GroupTrail#NONE} for
   *                    nowhere)
   */
  public LocalGroup(Vertx vertx, EventStream stream, String topic, GroupSpec spec, SinkInterceptor interceptor,
                    MeterRegistry registry, GroupTrail trail) {
    this(vertx, stream, topic, spec, interceptor, registry, trail, Tracing.off());
  }

  /** As above, each event's handling a span of {@code tracing} when it is on ({@link GroupPipeline}). */
  public LocalGroup(Vertx vertx, EventStream stream, String topic, GroupSpec spec, SinkInterceptor interceptor,
                    MeterRegistry registry, GroupTrail trail, Tracing tracing) {
    this.vertx = vertx;
    this.stream = stream;
    this.name = spec.name();
    this.spec = spec;
    this.policy = spec.policy();
    this.metrics = new GroupMetrics(registry, name, this::circuit);
    this.guard = new SinkGuard(vertx, name, policy, interceptor, metrics.retried::increment);
    GroupSpec.Dispatch dispatch = spec.dispatch();
    if (dispatch.keyed()) {
      // each event is its own call, bounded by the sink itself (a subscription's timeoutMs), not by the
      // built-in sinks' bound; a partition keeps several batches in flight so that one slow author does
      // not hold the others of its partition
      this.pipeline = new GroupPipeline(stream, topic, name, spec.sink(), guard, metrics, trail,
          new GroupPipeline.Keyed(vertx, new KeyOrderedDispatcher(vertx.getOrCreateContext(), dispatch.keyedInFlight()),
              () -> members.pauses().pausedByOperator(), policy.backoffMillis(), policy.breakerWaitMillis()),
          tracing);
      this.subscription = SubscribeOptions.of(topic, name)
          .withStartFrom(StartPosition.EARLIEST)
          .withMaxBatchSize(KEYED_BATCH_SIZE)
          .withMaxBatchesInFlight(keyedBatchesInFlight(dispatch.keyedInFlight()));
    } else {
      this.pipeline = new GroupPipeline(stream, topic, name,
          new CoalescingSink(new BoundedSink(vertx, name, spec.sink(), policy.sinkTimeoutMillis()),
              dispatch.maxEventsPerCall(), vertx, dispatch.minCallGapMillis()), guard, metrics, trail, null, tracing);
      this.subscription = SubscribeOptions.of(topic, name)
          .withStartFrom(StartPosition.EARLIEST)
          .withMaxBatchSize(SubscribeOptions.DEFAULT_MAX_BATCH_SIZE);
    }
    guard.breaker().getEventPublisher().onStateTransition(event -> {
      LOG.info("group {}: sink circuit {}", name, event.getStateTransition());
      if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        waitOutCircuit();
      }
    });
  }

  /** Records per batch of a keyed group. */
  static final int KEYED_BATCH_SIZE = 16;

  /**
   * Batches a keyed group keeps in flight per partition: room for twice its keys in flight, so that while
   * some authors wait, the partition's next records reach the others.
   */
  static int keyedBatchesInFlight(int keyedInFlight) {
    return Math.max(2, (2 * keyedInFlight + KEYED_BATCH_SIZE - 1) / KEYED_BATCH_SIZE);
  }

  public String name() {
    return name;
  }

  /** The group as it was declared. */
  public GroupSpec spec() {
    return spec;
  }

  public String topic() {
    return pipeline.topic();
  }

  public String deadLetterTopic() {
    return pipeline.deadLetterTopic();
  }

  /** The sink's circuit: CLOSED, OPEN or HALF_OPEN. */
  public String circuit() {
    return guard.breaker().getState().name();
  }

  private void waitOutCircuit() {
    if (!members.pauses().circuitOpened()) {
      return;
    }
    members.pauseAll();
    // a little after the breaker's own wait, so that the first batch finds it ready for a probe
    vertx.setTimer(policy.breakerWaitMillis() + 50, id -> {
      if (members.pauses().circuitWaitOver()) {
        members.resumeAll();
      }
    });
  }

  /** Deploys one more member of this group in this process; the group rebalances. */
  public Future<String> addMember() {
    return vertx.deployVerticle(new EventConsumerVerticle(stream, subscription, pipeline::handle, members))
        .onSuccess(deployments::addLast);
  }

  /** Undeploys the newest member; it leaves cleanly. Refused for the last one: pause the group instead. */
  public Future<Void> removeMember() {
    if (deployments.size() <= 1) {
      return Future.failedFuture(new IllegalStateException("group " + name + " has a single member here; pause it instead"));
    }
    String id = deployments.pollLast();
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }

  /**
   * Stops the group for good in this process ({@link #stop}) and takes its meters off {@code /metrics}: for
   * a group removed from the {@link GroupRegistry}.
   */
  public Future<Void> retire() {
    return stop().onComplete(ar -> metrics.unregister());
  }

  /**
   * Undeploys every member, newest first; each leaves the group cleanly. A keyed group's events that wait to
   * try again are given up first (they are redelivered to whoever reads their partitions next).
   */
  public Future<Void> stop() {
    pipeline.stop();
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
    return members.crashCandidate()
        .map(victim -> victim.crash(REJOIN_AFTER_CRASH_MILLIS))
        .orElseGet(() -> Future.failedFuture(new IllegalStateException("group " + name + " has no member here")));
  }

  public Future<Void> pause() {
    members.pauses().operatorPause();
    members.pauseAll();
    return Future.succeededFuture();
  }

  public Future<Void> resume() {
    if (members.pauses().operatorResume()) {
      members.resumeAll();
    }
    return Future.succeededFuture();
  }

  /**
   * Re-delivers this group's dead letters, as they are now, to this group's pipeline only; see
   * {@link DeadLetterReplay}. One replay at a time.
   */
  public Future<JsonObject> replayDeadLetters() {
    if (!replaying.compareAndSet(false, true)) {
      return Future.failedFuture(new IllegalStateException("a replay of group " + name + "'s dead letters is running"));
    }
    return new DeadLetterReplay(vertx, stream, pipeline, metrics.replayed::increment).run()
        .onComplete(ar -> replaying.set(false));
  }

  /** The group's figures and the state of its members in this process. */
  public GroupStatus status() {
    return new GroupStatus((long) metrics.processed.count(), (long) metrics.retried.count(),
        (long) metrics.deadLettered.count(), (long) metrics.replayed.count(), metrics.latencyP99Millis(), circuit(),
        members.pauses().pausedByOperator(), members.pauses().waitingOnCircuit(), members.size(),
        members.batchesInFlight());
  }
}
