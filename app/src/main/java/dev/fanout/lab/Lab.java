package dev.fanout.lab;

import dev.fanout.core.Refusal;
import dev.fanout.stream.EventStream;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab: runs the same publish workload through the three designs ({@link Design}), under each fault of a
 * plan ({@link LabFault}), on the real parts ({@link LabParts}), one run after the other, and measures how
 * each ended ({@link RunResult}). The designs share the publisher and both sinks and differ only in topology
 * ({@link Topology}), so what differs in the results is what the topology does.
 *
 * <p>Each lab opens a stream of its own ({@link LabParts.Streams}); each run deletes its topics and groups, and
 * the lab closes its stream when it ends, so nothing of a lab stays on the backend. A lab whose process was
 * killed leaves its last run's schema, topics, groups and index: the next lab removes them ({@link Leftovers}). {@link #stop} cuts a running
 * lab short and waits for that cleanup: the app calls it when it stops.
 *
 * <p>One lab runs at a time per instance. {@link #progress()} and {@link #lastResult()} may be read from any
 * thread while it runs, for example by an HTTP route. A run that fails is reported with its error and the
 * lab goes on with the next.
 */
public final class Lab {

  private static final Logger LOG = LoggerFactory.getLogger(Lab.class);

  private final LabParts parts;
  private final String backend;
  private final String searchName;
  private final AtomicBoolean running = new AtomicBoolean();
  // written on the lab's context, read from any thread
  private final AtomicReference<JsonObject> progress = new AtomicReference<>(new JsonObject().put("running", false));
  private final AtomicReference<LabResult> last = new AtomicReference<>();
  // the context of the lab running or last run; written by run, read by stop, from any thread
  private volatile Context context;
  // the running lab's current run; accessed on its context
  private LabRun current;
  // any thread: set by stop, cleared by run
  private final AtomicBoolean stopping = new AtomicBoolean();
  // any thread: the running lab's end, completed however it ends
  private final AtomicReference<Future<LabResult>> ending = new AtomicReference<>();

  /**
   * @param backend    the stream backend's name, for the report
   * @param searchName the search engine's name, for the report
   */
  public Lab(LabParts parts, String backend, String searchName) {
    this.parts = parts;
    this.backend = backend;
    this.searchName = searchName;
  }

  /** The parts the lab runs on, as the composition root gave them. */
  public LabParts parts() {
    return parts;
  }

  /**
   * Runs every fault of the plan through every design; when a lab is already running, the future it answers
   * has already failed, with a {@link Refusal} (conflict, {@code lab_running}). The future succeeds with the
   * measures, whatever they say; it fails only when the lab could not run at all.
   *
   * <p>The runs take the calling context (an HTTP event loop, when a route calls); nothing they do blocks
   * it: migrations, Lucene and files go to worker threads, PostgreSQL and the stream are asynchronous.
   */
  public Future<LabResult> run(LabPlan plan) {
    if (!running.compareAndSet(false, true)) {
      return Future.failedFuture(Refusal.conflict("lab_running",
          "a lab is already running; see GET /api/lab for its progress", null));
    }
    progress.set(new JsonObject().put("running", true).put("run", 0)
        .put("runs", plan.faults().size() * plan.designs().size()).put("phase", "starting"));
    // one context owns the runs' state; a caller on an event loop keeps its own
    Context context = parts.vertx().getOrCreateContext();
    Promise<LabResult> result = Promise.promise();
    ending.set(result.future());
    stopping.set(false);
    this.context = context;
    // unique on a shared stream: topics and groups of an earlier lab are never met again
    String id = Long.toString(System.currentTimeMillis() % 100_000_000L, 36)
        + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
    context.runOnContext(v -> {
      Leftovers.hold(parts.vertx(), parts.database(), id).compose(held -> parts.streams().open()
              .compose(stream -> Leftovers.sweep(parts.vertx(), parts, stream, held, id)
                  .recover(e -> {
                    LOG.warn("lab: could not remove what earlier labs left: {}", e.toString());
                    return Future.succeededFuture();
                  })
                  .compose(swept -> runAll(plan, stream, id))
                  .eventually(() -> stream.close().recover(e -> {
                    LOG.warn("lab: could not close its stream: {}", e.toString());
                    return Future.succeededFuture();
                  })))
              // the lab's lock goes with its connection
              .eventually(() -> held.close().recover(e -> Future.succeededFuture())))
          .onComplete(ar -> ended(ar, result));
    });
    return result.future();
  }

  /**
   * Stops the running lab, if one runs: the current run is cut short ({@code LabRun#cancel}), no other run
   * starts, and the future completes once the run dropped its schema, index, topics and groups and the lab
   * closed its stream. Succeeds at once when no lab runs. Any thread.
   */
  public Future<Void> stop() {
    Future<LabResult> end = ending.get();
    if (end == null || end.isComplete()) {
      return Future.succeededFuture();
    }
    stopping.set(true);
    // the run's state belongs to its context; a run not started yet sees the flag instead
    context.runOnContext(v -> {
      if (current != null) {
        current.cancel();
      }
    });
    return end.<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  private void ended(AsyncResult<LabResult> ar, Promise<LabResult> result) {
    current = null;
    running.set(false);
    if (ar.succeeded()) {
      last.set(ar.result());
    }
    JsonObject ended = progress.get().copy().put("running", false).put("phase", ar.succeeded() ? "done" : "failed");
    progress.set(ar.succeeded() ? ended : ended.put("error", String.valueOf(ar.cause().getMessage())));
    result.handle(ar);
  }

  /**
   * {@code {running, run, runs, design, designName, fault, phase}}: which run of how many is going (1-based)
   * and what it does now; after the last, phase {@code done}, or {@code failed} with an {@code error}.
   */
  public JsonObject progress() {
    return progress.get().copy();
  }

  /** The last finished lab's result, or null. */
  public LabResult lastResult() {
    return last.get();
  }

  private Future<LabResult> runAll(LabPlan plan, EventStream stream, String id) {
    Instant started = Instant.now();
    List<RunResult> results = new ArrayList<>();
    int total = plan.faults().size() * plan.designs().size();
    Future<Void> chain = Future.succeededFuture();
    int n = 0;
    for (LabFault fault : plan.faults()) {
      for (Design design : plan.designs()) {
        int number = ++n;
        chain = chain.compose(v -> {
          if (stopping.get()) {
            return Future.succeededFuture();
          }
          String prefix = "lab-" + id + "-" + number + "-d" + design.number();
          String schema = ("lab_" + id + "_" + number).toLowerCase(Locale.ROOT);
          JsonObject state = new JsonObject().put("running", true).put("run", number).put("runs", total)
              .put("design", design.number()).put("designName", design.description()).put("fault", fault.cliName());
          progress.set(state.copy().put("phase", "starting"));
          LOG.info("lab run {}/{}: design {} under {}", number, total, design.number(), fault.cliName());
          current = new LabRun(parts, stream, plan, design, fault, prefix, schema,
              phase -> progress.set(state.copy().put("phase", phase)));
          return current.run()
              .recover(e -> {
                LOG.warn("lab run {}/{} (design {} under {}) failed", number, total, design.number(),
                    fault.cliName(), e);
                return Future.succeededFuture(RunResult.failed(design, fault, plan.publishes(), e));
              })
              .map(result -> {
                results.add(result);
                return null;
              });
        });
      }
    }
    return chain.compose(v -> stopping.get() ? Future.failedFuture(new IllegalStateException("the lab was stopped"))
        : Future.succeededFuture()).map(v -> new LabResult(plan, backend, searchName, started, Instant.now(), results));
  }
}
