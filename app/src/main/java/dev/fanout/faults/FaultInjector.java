package dev.fanout.faults;

import dev.fanout.consumer.SinkInterceptor;
import dev.fanout.consumer.SinkUnavailable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The faults currently injected into sinks, and the wrapper that applies them to a sink call. At most
 * one fault per sink and mode: a new one replaces the old. Expired faults stop acting at once and are
 * forgotten when next listed. Safe to use from any thread.
 */
public final class FaultInjector implements SinkInterceptor {

  private final Vertx vertx;
  private final Clock clock;
  private final Supplier<Set<String>> sinks;
  // key: sink + mode; written by the admin API, read by every consumer call
  private final Map<String, Fault> faults = new ConcurrentHashMap<>();

  /**
   * @param sinks the sinks faults can be injected into, named after the groups that write to them; read anew
   *              at each use (groups come and go)
   */
  public FaultInjector(Vertx vertx, Clock clock, Supplier<Set<String>> sinks) {
    this.vertx = vertx;
    this.clock = clock;
    this.sinks = sinks;
  }

  public Set<String> sinks() {
    return Set.copyOf(sinks.get());
  }

  public void add(Fault fault) {
    faults.put(fault.sink() + "/" + fault.mode(), fault);
  }

  /** The active faults, by sink then mode. */
  public List<Fault> list() {
    Instant now = clock.instant();
    faults.values().removeIf(f -> !f.activeAt(now));
    List<Fault> active = new ArrayList<>(faults.values());
    active.sort(Comparator.comparing(Fault::sink).thenComparing(Fault::mode));
    return active;
  }

  /** Clears every fault; returns how many were active. */
  public int clear() {
    int active = list().size();
    faults.clear();
    return active;
  }

  /**
   * Runs a call to {@code sink} under its faults: an outage or a failure (by its rate) fails the call
   * with {@link SinkUnavailable} before it reaches the sink, so nothing is written; latency delays it on
   * a timer.
   */
  @Override
  public <T> Future<T> around(String sink, Supplier<Future<T>> call) {
    if (faults.isEmpty()) {
      return call.get();
    }
    Instant now = clock.instant();
    Fault outage = active(sink, Fault.Mode.OUTAGE, now);
    if (outage != null) {
      return Future.failedFuture(new SinkUnavailable("injected outage of sink " + sink + " until " + outage.until()));
    }
    Fault fail = active(sink, Fault.Mode.FAIL, now);
    if (fail != null && ThreadLocalRandom.current().nextDouble() < fail.rate()) {
      return Future.failedFuture(new SinkUnavailable("injected failure of sink " + sink));
    }
    Fault latency = active(sink, Fault.Mode.LATENCY, now);
    if (latency == null) {
      return call.get();
    }
    Promise<Void> delayed = Promise.promise();
    vertx.setTimer(latency.millis(), id -> delayed.complete());
    return delayed.future().compose(v -> call.get());
  }

  private Fault active(String sink, Fault.Mode mode, Instant now) {
    Fault fault = faults.get(sink + "/" + mode);
    return fault != null && fault.activeAt(now) ? fault : null;
  }
}
