package dev.fanout.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A group's figures in this process, as Micrometer meters tagged with the group (exported at
 * {@code /metrics}); {@link LocalGroup#status()} reads them back.
 */
public final class GroupMetrics {

  final Counter processed;
  final Counter retried;
  final Counter deadLettered;
  final Counter replayed;
  final Timer latency;

  private final MeterRegistry registry;
  private final String group;

  GroupMetrics(MeterRegistry registry, String group, Supplier<String> circuit) {
    this.registry = registry;
    this.group = group;
    processed = Counter.builder("fanout.consumer.processed").description("events handled").tag("group", group)
        .register(registry);
    retried = Counter.builder("fanout.consumer.retried").description("retries of sink calls").tag("group", group)
        .register(registry);
    deadLettered = Counter.builder("fanout.consumer.dead.lettered").description("records sent to the dead-letter topic")
        .tag("group", group).register(registry);
    replayed = Counter.builder("fanout.consumer.replayed").description("dead letters replayed").tag("group", group)
        .register(registry);
    latency = Timer.builder("fanout.consumer.latency").description("event time to handled")
        .tag("group", group)
        .publishPercentileHistogram()
        .publishPercentiles(0.5, 0.99)
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry);
    Gauge.builder("fanout.consumer.circuit.open", () -> circuit.get().equals("CLOSED") ? 0 : 1)
        .description("1 while the group's sink circuit is open or half-open").tag("group", group).register(registry);
  }

  /** Takes the group's meters off the registry: for a group removed from the process. */
  void unregister() {
    for (Meter meter : List.copyOf(registry.getMeters())) {
      if (meter.getId().getName().startsWith("fanout.consumer.") && group.equals(meter.getId().getTag("group"))) {
        registry.remove(meter);
      }
    }
  }

  /** The 99th percentile of event time to handled, in whole milliseconds; 0 before any event. */
  long latencyP99Millis() {
    for (ValueAtPercentile value : latency.takeSnapshot().percentileValues()) {
      if (value.percentile() == 0.99) {
        return Math.round(value.value(TimeUnit.MILLISECONDS));
      }
    }
    return 0;
  }
}
