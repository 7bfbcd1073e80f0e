package dev.fanout.lab;

import dev.fanout.audit.Audit;
import dev.fanout.audit.AuditReport;
import dev.fanout.audit.Discrepancy;
import dev.fanout.audit.Discrepancy.CountMismatch;
import dev.fanout.audit.Discrepancy.MissingFromIndex;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.compose.PartsFactory;
import dev.fanout.counter.AuthorCounter;
import dev.fanout.counter.RefusedAuthor;
import dev.fanout.db.IsolatedSchema;
import dev.fanout.faults.Fault;
import dev.fanout.faults.FaultInjector;
import dev.fanout.outbox.ProcessedEvents;
import dev.fanout.publisher.BlogDraft;
import dev.fanout.search.SearchEngine;
import dev.fanout.stream.EventStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One design under one fault, from an empty schema, index, topics and groups to its measures:
 *
 * <ol>
 *   <li>the workload: {@link LabPlan#publishes()} blogs through the design's publisher, with the fault's
 *       points ({@link FaultPoints}) struck as the workload reaches them (the member crash waits, at most
 *       two seconds, for the counting group to have a batch in flight);</li>
 *   <li>the outage, when there is one, runs its length; just before it ends the run notes how many of the
 *       events stored since it began the counter has counted;</li>
 *   <li>the poison, when there is one, is dead-lettered by the counting group;</li>
 *   <li>the settle, an operator's recovery: faults cleared, the poison's rule dropped, the groups' dead
 *       letters replayed; then the audit is asked until it finds nothing or {@link LabPlan#settleSeconds()}
 *       passed;</li>
 *   <li>the measures: the last audit's gaps, and the topics read back for events that never reached them.</li>
 * </ol>
 *
 * Everything is dropped after: the relay, the groups' members, the run's groups and topics on the stream, the
 * index, the schema. {@link #cancel} cuts the run short (the app is stopping): it skips to the drop. Runs on one
 * Vert.x context, which owns every field.
 */
final class LabRun {

  private static final Logger LOG = LoggerFactory.getLogger(LabRun.class);
  private static final Duration SETTLE_CHECK = Duration.ofMillis(250);
  private static final Duration DEAD_LETTER_CHECK = Duration.ofMillis(50);
  /** The outage's sample is taken this long before it ends, so that the search sink is surely still down. */
  private static final long SAMPLE_BEFORE_END_MILLIS = 200;
  private static final long READ_TOPIC_MILLIS = 60_000;
  /** How long a member crash waits for the counting group to have a batch in flight. */
  private static final Duration MID_BATCH_WAIT = Duration.ofSeconds(2);
  // a batch can be in flight for a few milliseconds only: looked for as often as timers go
  private static final Duration MID_BATCH_CHECK = Duration.ofMillis(1);

  /** What the publisher does when a crash point strikes: the blog is stored, its writer hears an error. */
  static final class PublisherCrashed extends RuntimeException {
    PublisherCrashed() {
      super("the publisher crashed after its commit, before its sends", null, false, false);
    }
  }

  private record Stored(int index, UUID eventId, long nanos) {
  }

  private final LabParts parts;
  private final EventStream stream;
  private final Vertx vertx;
  private final LabPlan plan;
  private final Design design;
  private final LabFault fault;
  private final FaultPoints points;
  private final String prefix;
  private final String schemaName;
  private final Consumer<String> phase;

  private IsolatedSchema schema;
  private SearchEngine search;
  private Topology topology;
  private FaultInjector faults;
  private Audit audit;
  private final List<Stored> stored = new ArrayList<>();
  private final Map<String, Long> replayed = new HashMap<>();
  private int next;
  private int completed;
  private long acknowledged;
  private long crashed;
  private long otherFailures;
  private long workloadStart;
  private long workloadEnd;
  private long settleStart;
  private Long consistentAfterMillis;
  private AuditReport lastAudit;
  private final Promise<Void> outageOver = Promise.promise();
  private final Promise<Void> memberCrashed = Promise.promise();
  private final Promise<Void> workloadDone = Promise.promise();
  private boolean cancelled;
  private Boolean memberCrashMidBatch;
  private boolean outage;
  private long storedDuringOutage;
  private long countedDuringOutage;

  /**
   * @param prefix     names the run's topics, groups and index: unique on the stream
   * @param schemaName the run's schema
   * @param phase      told what the run is doing, for progress reports
   */
  LabRun(LabParts parts, EventStream stream, LabPlan plan, Design design, LabFault fault, String prefix,
         String schemaName, Consumer<String> phase) {
    this.parts = parts;
    this.stream = stream;
    this.vertx = parts.vertx();
    this.plan = plan;
    this.design = design;
    this.fault = fault;
    this.points = plan.points();
    this.prefix = prefix;
    this.schemaName = schemaName;
    this.phase = phase;
  }

  /** Runs it; the future fails only when the run could not be set up or measured. */
  Future<RunResult> run() {
    phase.accept("setting up");
    return IsolatedSchema.create(vertx, parts.database(), schemaName, 8)
        .compose(created -> {
          schema = created;
          return fault.includes(LabFault.POISON)
              ? RefusedAuthor.refuse(schema.pool(), FaultPoints.POISON_AUTHOR) : Future.succeededFuture();
        })
        .compose(v -> {
          search = parts.search().open(prefix);
          return search.start();
        })
        .compose(v -> {
          faults = new FaultInjector(vertx, Clock.systemUTC(), () -> Set.of(Topology.SEARCH, Topology.COUNTER));
          PartsFactory factory = new PartsFactory(vertx, schema.pool(), schema.connectOptions(), stream,
              Design3.settings(parts.app(), prefix));
          AuthorCounter counter = factory.counter();
          topology = new Topology(design, parts, stream, prefix, factory, counter, factory.indexer(search), faults);
          audit = new Audit(schema.pool(), topology.store(), counter, search);
          return topology.start();
        })
        .compose(v -> {
          phase.accept("publishing");
          return workload();
        })
        .compose(v -> {
          if (outage) {
            phase.accept("waiting out the search outage");
          }
          return Future.all(outageOver.future(), memberCrashed.future());
        })
        .compose(v -> fault.includes(LabFault.POISON) ? poisonDeadLettered() : Future.succeededFuture())
        .compose(v -> {
          phase.accept("settling");
          return settle();
        })
        .compose(last -> {
          if (cancelled) {
            return Future.failedFuture(new IllegalStateException("the run was stopped before it ended"));
          }
          phase.accept("measuring");
          return measure(last);
        })
        .eventually(this::teardown);
  }

  private Future<Void> workload() {
    if (fault.includes(LabFault.FAIL_RATE)) {
      faults.add(new Fault(Topology.SEARCH, Fault.Mode.FAIL, 0.3, 0, null));
    }
    if (!fault.includes(LabFault.OUTAGE)) {
      outageOver.tryComplete();
    }
    if (!fault.includes(LabFault.MEMBER_CRASH)) {
      memberCrashed.tryComplete();
    }
    Promise<Void> done = workloadDone;
    workloadStart = System.nanoTime();
    if (plan.rate() > 0) {
      paced(done);
    } else {
      for (int i = 0; i < Math.min(plan.concurrency(), plan.publishes()); i++) {
        issueNext(done);
      }
    }
    return done.future();
  }

  // closed loop: each completion issues the next publish
  private void issueNext(Promise<Void> done) {
    if (next >= plan.publishes() || cancelled) {
      return;
    }
    publish(next++).onComplete(ar -> {
      completedOne(done);
      issueNext(done);
    });
  }

  // open loop at the plan's rate
  private void paced(Promise<Void> done) {
    if (next >= plan.publishes() || cancelled) {
      return;
    }
    long due = workloadStart + next * 1_000_000_000L / plan.rate();
    long delayMillis = Math.max(1, (due - System.nanoTime()) / 1_000_000);
    vertx.setTimer(delayMillis, id -> {
      publish(next++).onComplete(ar -> completedOne(done));
      paced(done);
    });
  }

  private void completedOne(Promise<Void> done) {
    if (++completed == plan.publishes()) {
      workloadEnd = System.nanoTime();
      done.tryComplete();
    }
  }

  private Future<Void> publish(int i) {
    if (i == points.outageAt() && fault.includes(LabFault.OUTAGE)) {
      startOutage();
    }
    if (i == points.memberCrashAt() && fault.includes(LabFault.MEMBER_CRASH)) {
      crashCountingMember();
    }
    BlogDraft draft = new BlogDraft(points.author(i, fault.includes(LabFault.POISON)), "lab blog " + i,
        "Written once by the lab, read by many: blog " + i + " of run " + prefix + ".", List.of("lab"));
    boolean crash = fault.includes(LabFault.CRASH) && points.crashesAfter(i);
    Future<Void> published;
    if (topology.publisherSends()) {
      published = topology.store().publishEvent(draft).compose(event -> {
        stored.add(new Stored(i, event.eventId(), System.nanoTime()));
        return crash ? Future.failedFuture(new PublisherCrashed()) : topology.send(event);
      });
    } else {
      // the outbox row committed with the blog: a crash after the commit loses nothing
      published = topology.store().publish(draft, null).compose(written -> {
        stored.add(new Stored(i, written.eventId(), System.nanoTime()));
        return crash ? Future.failedFuture(new PublisherCrashed()) : Future.succeededFuture();
      });
    }
    return published.onComplete(ar -> {
      if (ar.succeeded()) {
        acknowledged++;
      } else if (ar.cause() instanceof PublisherCrashed) {
        crashed++;
      } else {
        otherFailures++;
        LOG.warn("lab: publish {} of {} failed: {}", i, prefix, ar.cause().toString());
      }
    });
  }

  // Crashes a member of the counting group as soon as it has a batch in flight (at most a little later), so
  // that the crash abandons work, as a killed process would.
  private void crashCountingMember() {
    LocalGroup counting = topology.counting();
    Poll.until(vertx, () -> Future.succeededFuture(counting.status().batchesInFlight() > 0), MID_BATCH_CHECK,
            MID_BATCH_WAIT)
        .compose(inFlight -> {
          memberCrashMidBatch = inFlight;
          return counting.crashMember();
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.warn("lab: could not crash a member of {}: {}", counting.name(), ar.cause().toString());
          }
          memberCrashed.tryComplete();
        });
  }

  private void startOutage() {
    outage = true;
    long millis = plan.outageSeconds() * 1000L;
    faults.add(new Fault(Topology.SEARCH, Fault.Mode.OUTAGE, 1.0, 0, Instant.now().plusMillis(millis)));
    int from = points.outageAt();
    vertx.setTimer(Math.max(1, millis - SAMPLE_BEFORE_END_MILLIS), id -> {
      List<UUID> during = stored.stream().filter(s -> s.index() >= from).map(Stored::eventId).toList();
      storedDuringOutage = during.size();
      Future<Set<UUID>> counted = during.isEmpty() ? Future.succeededFuture(Set.of())
          : ProcessedEvents.recorded(schema.pool(), AuthorCounter.GROUP, during);
      counted.onComplete(ar -> {
        countedDuringOutage = ar.succeeded() ? ar.result().size() : 0;
        // the outage's own end, then the settle
        vertx.setTimer(SAMPLE_BEFORE_END_MILLIS, t -> outageOver.tryComplete());
      });
    });
  }

  // The operator fixes the poison once it is dead-lettered (a fix before would make it no poison at all).
  private Future<Void> poisonDeadLettered() {
    phase.accept("waiting for the poison to be dead-lettered");
    return Poll.until(vertx, () -> Future.succeededFuture(cancelled || topology.counting().status().deadLetters() > 0),
            DEAD_LETTER_CHECK, Duration.ofSeconds(plan.settleSeconds()))
        .map(deadLettered -> {
          if (!deadLettered) {
            LOG.warn("lab: {} never dead-lettered its poison event", prefix);
          }
          return null;
        });
  }

  // The operator's recovery, then the audit until it finds nothing or the bound passed; answers the last audit.
  private Future<AuditReport> settle() {
    settleStart = System.nanoTime();
    long deadline = settleStart + plan.settleSeconds() * 1_000_000_000L;
    faults.clear();
    Future<Void> fixed = fault.includes(LabFault.POISON) ? RefusedAuthor.acceptAll(schema.pool())
        : Future.succeededFuture();
    // the bound counts from the settle's start, the fix included
    return fixed
        .compose(v -> Poll.until(vertx, this::settled, SETTLE_CHECK, Duration.ofNanos(deadline - System.nanoTime())))
        .map(consistent -> lastAudit);
  }

  // One round of the settle: replays what was dead-lettered since the last round, then audits.
  private Future<Boolean> settled() {
    if (cancelled) {
      return Future.succeededFuture(true);
    }
    return replayDeadLetters().compose(v -> audit.run()).map(report -> {
      lastAudit = report;
      if (report.empty()) {
        consistentAfterMillis = (System.nanoTime() - settleStart) / 1_000_000;
      }
      return report.empty();
    });
  }

  // Each group's dead letters that no replay handled yet, replayed to that group only.
  private Future<Void> replayDeadLetters() {
    Future<Void> chain = Future.succeededFuture();
    for (LocalGroup group : topology.groups()) {
      long waiting = group.status().deadLetters() - replayed.getOrDefault(group.name(), 0L);
      if (waiting > 0) {
        chain = chain.compose(v -> group.replayDeadLetters()).map(result -> {
          replayed.merge(group.name(), result.getLong("replayed", 0L), Long::sum);
          return null;
        });
      }
    }
    return chain;
  }

  private Future<RunResult> measure(AuditReport last) {
    long missing = 0;
    long wrongCounts = 0;
    long countedTwice = 0;
    long uncounted = 0;
    for (Discrepancy discrepancy : last.discrepancies()) {
      if (discrepancy instanceof MissingFromIndex) {
        missing++;
      } else if (discrepancy instanceof CountMismatch count) {
        wrongCounts++;
        countedTwice += Math.max(0, count.counted() - count.expected());
        uncounted += Math.max(0, count.expected() - count.counted());
      }
    }
    long finalMissing = missing;
    long finalWrong = wrongCounts;
    long finalTwice = countedTwice;
    long finalUncounted = uncounted;
    List<String> topics = topology.topics();
    List<Future<Set<UUID>>> reads = new ArrayList<>();
    for (int t = 0; t < topics.size(); t++) {
      reads.add(TopicEvents.read(vertx, stream, topics.get(t), prefix + "-reader-" + t, READ_TOPIC_MILLIS));
    }
    return Future.all(reads).map(v -> {
      Set<UUID> lost = new HashSet<>();
      for (Stored s : stored) {
        for (Future<Set<UUID>> read : reads) {
          if (!read.result().contains(s.eventId())) {
            lost.add(s.eventId());
          }
        }
      }
      double seconds = Math.max(1, workloadEnd - workloadStart) / 1e9;
      if (otherFailures > 0) {
        LOG.warn("lab: {} publishes of {} failed for reasons other than the crash points", otherFailures, prefix);
      }
      return new RunResult(design, fault,
          new RunResult.Workload(plan.publishes(), acknowledged, crashed, acknowledged / seconds),
          new RunResult.Consistency(finalMissing, finalWrong, finalTwice, finalUncounted, lost.size(),
              consistentAfterMillis),
          outage ? new RunResult.Outage(countedDuringOutage, storedDuringOutage) : null,
          memberCrashMidBatch,
          new RunResult.DeadLetters(topology.groups().stream().mapToLong(g -> g.status().deadLetters()).sum(),
              replayed.values().stream().mapToLong(Long::longValue).sum()),
          null);
    });
  }

  /**
   * Cuts the run short: no more publishes, no more waiting for the outage, the crash, the poison or the settle;
   * the run fails without measures and drops what it made. Call on the run's context.
   */
  void cancel() {
    cancelled = true;
    workloadDone.tryComplete();
    outageOver.tryComplete();
    memberCrashed.tryComplete();
  }

  private Future<Void> teardown() {
    phase.accept("cleaning up");
    Future<Void> chain = topology == null ? Future.succeededFuture() : topology.stop();
    chain = chain.recover(e -> Future.succeededFuture())
        // a stream the app shares (Kafka) would keep every run's topics, partitions and groups otherwise
        .compose(v -> RunCleanup.deleteFrom(vertx, stream, prefix))
        .recover(e -> {
          LOG.warn("lab: could not delete the topics and groups of {}: {}", prefix, e.toString());
          return Future.succeededFuture();
        })
        .compose(v -> search == null ? Future.succeededFuture() : search.close())
        .recover(e -> Future.succeededFuture())
        .compose(v -> search == null ? Future.succeededFuture() : parts.search().discard(prefix))
        .recover(e -> Future.succeededFuture())
        .compose(v -> schema == null ? Future.succeededFuture() : schema.drop())
        .recover(e -> {
          LOG.warn("lab: could not drop schema {}: {}", schemaName, e.toString());
          return Future.succeededFuture();
        });
    return chain;
  }
}
