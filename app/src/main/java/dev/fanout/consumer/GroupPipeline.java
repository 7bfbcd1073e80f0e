package dev.fanout.consumer;

import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamRecord;
import dev.fanout.tracing.Tracing;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one consumer group does with a batch of its topic, the same for every member and for the replay of
 * its dead letters: decode → apply to the sink under its guard → isolate → dead-letter. The stream commits
 * the batch's offsets when {@link #handle}'s future succeeds, and redelivers the batch when it fails.
 *
 * <ul>
 *   <li>An undecodable record is dead-lettered at once: decoding it again gives the same answer.</li>
 *   <li>The decoded events go to the sink together, under the breaker, with retries for transient
 *       failures ({@link SinkGuard}).</li>
 *   <li>On a permanent failure the events are applied one by one, each with its own retry budget, so that
 *       only the bad one is dead-lettered and the partition moves on.</li>
 *   <li>A transient failure that outlasts the budget, or an open circuit, fails the batch: nothing is
 *       dead-lettered because a sink is down.</li>
 * </ul>
 *
 * <p>A keyed pipeline ({@link Keyed}: a subscription's) hands each event to the sink alone, through a
 * {@link KeyOrderedDispatcher}: one author's events one at a time in stream order, different authors at
 * once. There an event is never given up for a transient failure: it waits (the backoff, the sink's own
 * {@link RetryAfter}, the open circuit's wait, an operator's pause) and tries again, since the author's next
 * event may not pass it. A permanent failure dead-letters that event alone, and the author's next goes on.
 *
 * <p>With tracing on, each event's handling is an {@link EventSpan} in its publish's trace, ended once the
 * event is settled; a keyed sink is called with that span current. With tracing off no span is made.
 *
 * <p>Holds no state of its own beyond its metrics; safe to call from any thread, and for several batches
 * at once (of different partitions, or of one partition for a keyed pipeline).
 */
public final class GroupPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(GroupPipeline.class);

  private final EventStream stream;
  private final String topic;
  private final String group;
  private final GroupSink sink;
  private final SinkGuard guard;
  private final GroupMetrics metrics;
  private final GroupTrail trail;
  private final int attempts;
  private final Keyed keyed; // null for shared calls
  private final Tracing tracing;
  private final String system; // messaging.system of the spans
  // a keyed pipeline's events waiting on a timer to try again, by timer id; any thread
  private final java.util.Map<Long, Promise<Void>> waiting = new java.util.concurrent.ConcurrentHashMap<>();
  // set once, by stop(), from any thread
  private volatile boolean stopped;

  /**
   * What a keyed pipeline needs beyond a shared one.
   *
   * @param dispatcher  the group's dispatcher in this process
   * @param held        true while deliveries must wait (an operator paused the group)
   * @param backoffMillis     the first wait after a failed round; doubles per round, at most
   *                          {@link ResiliencePolicy#MAX_BACKOFF_MILLIS}
   * @param breakerWaitMillis the wait while the circuit is open
   */
  public record Keyed(Vertx vertx, KeyOrderedDispatcher dispatcher, BooleanSupplier held, long backoffMillis,
                      long breakerWaitMillis) {
  }

  /**
   * @param guard   the sink's breaker and retry budget
   * @param metrics where handled, dead-lettered and latency figures go
   * @param trail   where failed attempts and dead letters are traced, per event
   */
  public GroupPipeline(EventStream stream, String topic, String group, GroupSink sink, SinkGuard guard,
                       GroupMetrics metrics, GroupTrail trail) {
    this(stream, topic, group, sink, guard, metrics, trail, null);
  }

  /** A pipeline that hands events one by one, in order per key, when {@code keyed} is given. */
  public GroupPipeline(EventStream stream, String topic, String group, GroupSink sink, SinkGuard guard,
                       GroupMetrics metrics, GroupTrail trail, Keyed keyed) {
    this(stream, topic, group, sink, guard, metrics, trail, keyed, Tracing.off());
  }

  /** As above, each event's handling a span of {@code tracing} when it is on. */
  public GroupPipeline(EventStream stream, String topic, String group, GroupSink sink, SinkGuard guard,
                       GroupMetrics metrics, GroupTrail trail, Keyed keyed, Tracing tracing) {
    this.keyed = keyed;
    this.tracing = tracing;
    this.system = "kafka".equals(stream.backend()) ? "kafka" : "fanout-" + stream.backend();
    this.stream = stream;
    this.topic = topic;
    this.group = group;
    this.sink = sink;
    this.guard = guard;
    this.metrics = metrics;
    this.trail = trail;
    this.attempts = guard.attempts();
  }

  /** The group's name. */
  public String group() {
    return group;
  }

  /** The topic the group reads. */
  public String topic() {
    return topic;
  }

  /** Where the group traces its trouble with single events. */
  GroupTrail trail() {
    return trail;
  }

  /** Where the group's poison records go. */
  public String deadLetterTopic() {
    return DeadLetters.topic(topic, group);
  }

  /** Handles one batch; see the class comment. */
  public Future<Void> handle(List<StreamRecord> batch) {
    return handle(batch, false);
  }

  /**
   * Handles a batch of this group's dead letters being replayed: as {@link #handle}, each event's span a new
   * trace linked to its publish's.
   */
  Future<Void> replay(List<StreamRecord> batch) {
    return handle(batch, true);
  }

  private Future<Void> handle(List<StreamRecord> batch, boolean replay) {
    List<StreamRecord> records = new ArrayList<>(batch.size());
    List<BlogEvent> events = new ArrayList<>(batch.size());
    // null with tracing off: nothing more is made per event
    List<EventSpan> spans = tracing.on() ? new ArrayList<>(batch.size()) : null;
    List<Future<?>> deadLettered = new ArrayList<>();
    for (StreamRecord record : batch) {
      EventSpan span = spans == null ? null : EventSpan.start(tracing, system, group, record, replay);
      try {
        events.add(BlogEvent.decode(record.value()));
        records.add(record);
        if (span != null) {
          spans.add(span);
        }
      } catch (RuntimeException e) {
        // InvalidEventException by contract; anything else from decoding is as permanent
        UUID eventId = BlogEvent.idIn(record.headers());
        if (span != null) {
          span.attemptFailed(e);
        }
        deadLettered.add(deadLetter(record, e, 1)
            .compose(p -> eventId == null ? Future.succeededFuture() : trail.deadLettered(group, eventId, 1, e))
            .onComplete(ar -> {
              if (span == null) {
                return;
              }
              if (ar.succeeded()) {
                span.deadLettered(e);
              } else {
                span.givenBack(ar.cause());
              }
            }));
      }
    }
    if (keyed != null) {
      // submitted now, in the order the stream handed the batches out: waiting for the dead letters' sends
      // first could let a later batch of the partition submit before this one, and an author's events would
      // pass each other
      Future<Void> applied = events.isEmpty() ? Future.succeededFuture() : applyKeyed(records, events, spans);
      return Future.all(Future.all(deadLettered), applied).mapEmpty();
    }
    return Future.all(deadLettered)
        .onFailure(e -> each(spans, 0, span -> span.givenBack(e)))
        .compose(v -> events.isEmpty() ? Future.succeededFuture() : apply(records, events, spans));
  }

  /**
   * Stops a keyed pipeline for good: events not started yet fail, and those waiting to try again fail at
   * their next try, so the stream redelivers them to whoever reads the partitions next.
   */
  public void stop() {
    stopped = true;
    if (keyed != null) {
      IllegalStateException cause = new IllegalStateException("group " + group + " stopped");
      keyed.dispatcher().cancelQueued(cause);
      // the events waiting to try again give up now, not at their next try: a member leaves without waiting
      for (Long timer : List.copyOf(waiting.keySet())) {
        Promise<Void> promise = waiting.remove(timer);
        if (promise != null) {
          keyed.vertx().cancelTimer(timer);
          promise.tryFail(cause);
        }
      }
    }
  }

  private Future<Void> applyKeyed(List<StreamRecord> records, List<BlogEvent> events, List<EventSpan> spans) {
    // a read ahead for the whole batch; the events are submitted at once all the same, each waiting for it:
    // submitting only once it is done would let a later batch whose read ended first pass this one. Its
    // failure only costs each event a read of its own
    Future<Void> prepared = sink.prepare(events).otherwiseEmpty();
    List<Future<Void>> each = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      StreamRecord record = records.get(i);
      BlogEvent event = events.get(i);
      if (spans == null) {
        each.add(keyed.dispatcher().submit(event.authorId(), () -> prepared.compose(v -> deliver(record, event, 0, null))));
      } else {
        EventSpan span = spans.get(i);
        each.add(keyed.dispatcher().submit(event.authorId(), () -> prepared.compose(v -> deliver(record, event, 0, span)))
            .onComplete(ar -> {
              if (ar.succeeded()) {
                span.handled(); // a no-op when it was dead-lettered, which ended it already
              } else {
                span.givenBack(ar.cause());
              }
            }));
      }
    }
    // the offsets pass these events only once the sink's records of them are durable
    return Future.all(each).<Void>compose(v -> sink.settled()).onFailure(e -> {
      if (!stopped) {
        LOG.warn("group {}: a batch of {} events will be delivered again: {}", group, events.size(), e.toString());
      }
    });
  }

  // One event until it is handled or dead-lettered; see the class comment.
  private Future<Void> deliver(StreamRecord record, BlogEvent event, int round, EventSpan span) {
    if (stopped) {
      return Future.failedFuture(new IllegalStateException("group " + group + " stopped"));
    }
    if (keyed.held().getAsBoolean()) {
      return later(HOLD_CHECK_MILLIS, () -> deliver(record, event, round, span));
    }
    Supplier<Future<Void>> call = span == null ? () -> sink.apply(List.of(event))
        : () -> span.current(() -> sink.apply(List.of(event)));
    return guard.call(call, false, e -> {
          trail.failed(group, List.of(event.eventId()), e);
          if (span != null) {
            span.attemptFailed(e);
          }
        })
        .onSuccess(v -> handled(List.of(event)))
        .recover(e -> {
          if (isPermanent(e)) {
            return deadLetter(record, e, 1).compose(p -> trail.deadLettered(group, event.eventId(), 1, e))
                .onSuccess(v -> {
                  if (span != null) {
                    span.deadLettered(e);
                  }
                });
          }
          long wait = e instanceof CallNotPermittedException ? keyed.breakerWaitMillis()
              : RetryAfter.waitBefore(round, keyed.backoffMillis(), e);
          LOG.debug("group {}: event {} waits {} ms before its next round: {}", group, event.eventId(), wait,
              e.toString());
          return later(wait, () -> deliver(record, event, round + 1, span));
        });
  }

  /** How often a keyed event held by an operator's pause looks again. */
  static final long HOLD_CHECK_MILLIS = 200;

  private Future<Void> later(long millis, Supplier<Future<Void>> next) {
    Promise<Void> done = Promise.promise();
    long timer = keyed.vertx().setTimer(Math.max(1, millis), id -> {
      if (waiting.remove(id) != null) {
        next.get().onComplete(done);
      }
    });
    waiting.put(timer, done);
    if (stopped && waiting.remove(timer) != null) {
      keyed.vertx().cancelTimer(timer);
      done.tryFail(new IllegalStateException("group " + group + " stopped"));
    }
    return done.future();
  }

  private Future<Void> apply(List<StreamRecord> records, List<BlogEvent> events, List<EventSpan> spans) {
    // the ids are gathered only when an attempt failed: nothing is added to a batch that goes through
    return guard.call(() -> sink.apply(events), false, e -> {
          trail.failed(group, ids(events), e);
          each(spans, 0, span -> span.attemptFailed(e));
        })
        .onSuccess(v -> {
          handled(events);
          each(spans, 0, EventSpan::handled);
        })
        .recover(e -> {
          if (isPermanent(e)) {
            LOG.warn("group {}: a batch of {} failed permanently ({}); applying its events one by one", group,
                events.size(), e.toString());
            return applyOneByOne(records, events, spans, 0);
          }
          each(spans, 0, span -> span.givenBack(e));
          return failed(e, events.size());
        });
  }

  private Future<Void> applyOneByOne(List<StreamRecord> records, List<BlogEvent> events, List<EventSpan> spans,
                                     int from) {
    if (from == events.size()) {
      return Future.succeededFuture();
    }
    BlogEvent event = events.get(from);
    EventSpan span = spans == null ? null : spans.get(from);
    return guard.call(() -> sink.apply(List.of(event)), true, e -> {
          trail.failed(group, List.of(event.eventId()), e);
          if (span != null) {
            span.attemptFailed(e);
          }
        })
        .onSuccess(v -> {
          handled(List.of(event));
          if (span != null) {
            span.handled();
          }
        })
        .recover(e -> {
          if (isPermanent(e)) {
            return deadLetter(records.get(from), e, attempts)
                .compose(p -> trail.deadLettered(group, event.eventId(), attempts, e))
                .onSuccess(v -> {
                  if (span != null) {
                    span.deadLettered(e);
                  }
                });
          }
          return failed(e, events.size() - from);
        })
        // a transient failure, or a dead letter that could not be sent: the rest go back to the stream
        .onFailure(e -> each(spans, from, s -> s.givenBack(e)))
        .compose(v -> applyOneByOne(records, events, spans, from + 1));
  }

  // spans from index from on; nothing with tracing off (no spans)
  private static void each(List<EventSpan> spans, int from, Consumer<EventSpan> action) {
    if (spans != null) {
      for (int i = from; i < spans.size(); i++) {
        action.accept(spans.get(i));
      }
    }
  }

  private static List<UUID> ids(List<BlogEvent> events) {
    List<UUID> ids = new ArrayList<>(events.size());
    for (BlogEvent event : events) {
      ids.add(event.eventId());
    }
    return ids;
  }

  private static boolean isPermanent(Throwable e) {
    return !(e instanceof CallNotPermittedException) && Failures.isPermanent(e);
  }

  private Future<Void> failed(Throwable e, int size) {
    if (e instanceof CallNotPermittedException) {
      LOG.debug("group {}: circuit open, {} events wait", group, size);
    } else {
      LOG.warn("group {}: {} events failed after retries, they will be redelivered: {}", group, size, e.toString());
    }
    return Future.failedFuture(e);
  }

  private void handled(List<BlogEvent> events) {
    metrics.processed.increment(events.size());
    Instant now = Instant.now();
    for (BlogEvent event : events) {
      metrics.latency.record(Duration.between(event.occurredAt(), now));
    }
  }

  private Future<?> deadLetter(StreamRecord record, Throwable error, int attempts) {
    LOG.warn("group {}: dead-lettering {} after {} attempt(s): {}", group, record, attempts, error.toString());
    return DeadLetters.send(stream, group, record, error, attempts).onSuccess(p -> metrics.deadLettered.increment());
  }
}
