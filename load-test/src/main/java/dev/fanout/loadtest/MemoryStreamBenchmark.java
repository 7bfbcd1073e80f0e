package dev.fanout.loadtest;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * End-to-end throughput and latency of the in-memory backend: one producer thread, 100-byte records on
 * 12 partitions, two consumer groups of one member each that handle every record and commit per batch.
 *
 * <p>Records/s counts a record once when both groups have handled it. Latency is produce-to-handled,
 * per record, for both groups together. The producer keeps at most {@code bench.window} (+63) records ahead
 * of the slower group, so nothing is lost to retention; {@code bench.rate} paces it (0: as fast as it
 * can). Bounded: stops after {@code bench.records} records or {@code bench.seconds} seconds.
 *
 * <p>Then the same records go through {@link QueueYardstick} (one {@code ArrayBlockingQueue} per group) in the
 * same JVM, and the run prints the stream's rate as a share of the queues'.
 *
 * <p>Run it with {@code -XX:+AlwaysPreTouch} beside {@code -Xms2g -Xmx2g}: without it, whichever phase runs
 * first pays for the kernel's first touch of the heap (see {@link #preTouched}).
 */
public final class MemoryStreamBenchmark {

  private static final String TOPIC = "bench";
  private static final int PARTITIONS = 12;
  private static final int RECORD_BYTES = 100;
  private static final int KEYS = 1000;

  public static void main(String[] args) throws Exception {
    long records = Long.getLong("bench.records", 5_000_000);
    long rate = Long.getLong("bench.rate", 0);
    long window = Long.getLong("bench.window", 200_000);
    long maxSeconds = Long.getLong("bench.seconds", 120);

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    JsonObject config = new JsonObject()
        .put("retention.records", window * 2)
        // per partition: twice a partition's share of the window (the stream refuses a setting the heap cannot hold)
        .put("retention.bytes", window * 2 * 512 / PARTITIONS);
    EventStream stream = await(StreamBackends.open(vertx, "memory", config));
    await(stream.admin().createTopic(TOPIC, PARTITIONS, 1));

    // One histogram per group: each is written only on its member's event loop, and read after the run.
    List<Histogram> latencies = List.of(new Histogram(3), new Histogram(3));
    List<AtomicLong> handled = List.of(new AtomicLong(), new AtomicLong());
    List<AtomicLong> batches = List.of(new AtomicLong(), new AtomicLong());
    List<GroupMember> members = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      AtomicLong count = handled.get(g);
      AtomicLong calls = batches.get(g);
      Histogram latency = latencies.get(g);
      BatchHandler handler = batch -> {
        long now = System.nanoTime();
        for (StreamRecord record : batch) {
          latency.recordValue(Math.max(0, now - ByteBuffer.wrap(record.value()).getLong()));
        }
        count.addAndGet(batch.size());
        calls.incrementAndGet();
        return Future.succeededFuture();
      };
      // Each member in its own verticle, so each group runs on its own event loop.
      SubscribeOptions options = SubscribeOptions.of(TOPIC, "group-" + g);
      GroupMember[] member = new GroupMember[1];
      await(vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          return stream.subscribe(options, handler).onSuccess(m -> member[0] = m);
        }
      }));
      members.add(member[0]);
    }

    String[] keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "author-" + i;
    }
    Map<String, String> headers = Map.of();
    double cpuBefore = ProcCpu.self();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
    long sent = 0;
    // the clock is read for the deadline once per 64 records, here as in the yardstick: a read costs about 30 ns
    // on this kind of machine (a virtual clock), as much as a tenth of a record's whole cost
    while (sent < records && ((sent & 63) != 0 || System.nanoTime() < deadline)) {
      if (rate > 0) {
        long due = start + sent * 1_000_000_000L / rate;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
      }
      // every 64 records: the counters are written by both groups, and reading them per record cost the
      // producer a cache miss each; the window may be overshot by 63 records, retention holds twice the window
      while ((sent & 63) == 0 && sent - Math.min(handled.get(0).get(), handled.get(1).get()) >= window) {
        LockSupport.parkNanos(10_000);
      }
      byte[] value = new byte[RECORD_BYTES];
      ByteBuffer.wrap(value).putLong(System.nanoTime());
      stream.send(TOPIC, keys[(int) (sent % KEYS)], headers, value);
      sent++;
    }
    while (Math.min(handled.get(0).get(), handled.get(1).get()) < sent && System.nanoTime() < deadline + 10_000_000_000L) {
      LockSupport.parkNanos(100_000);
    }
    long elapsed = System.nanoTime() - start;
    double streamCpu = ProcCpu.self() - cpuBefore;
    long done = Math.min(handled.get(0).get(), handled.get(1).get());
    Histogram histogram = new Histogram(3);
    latencies.forEach(histogram::add);

    System.out.printf("date=%s cores=%d java=%s pretouch=%s%n", Instant.now(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), preTouched());
    System.out.printf("records=%d rate=%s partitions=%d record_bytes=%d groups=2 window=%d%n", sent,
        rate == 0 ? "unpaced" : rate + "/s", PARTITIONS, RECORD_BYTES, window);
    System.out.printf("handled_by_both=%d elapsed_s=%.3f throughput_records_per_s=%.0f%n", done,
        elapsed / 1e9, done / (elapsed / 1e9));
    System.out.printf("cpu_s=%.2f cpu_us_per_record=%.2f records_per_batch=%.1f,%.1f%n", streamCpu,
        streamCpu * 1e6 / Math.max(1, done), handled.get(0).get() / (double) Math.max(1, batches.get(0).get()),
        handled.get(1).get() / (double) Math.max(1, batches.get(1).get()));
    System.out.printf("latency_us p50=%.1f p99=%.1f p99.9=%.1f max=%.1f%n",
        histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
        histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3);
    System.out.printf("offset_resets=%d,%d%n",
        await(stream.admin().describeGroup("group-0")).offsetResets(),
        await(stream.admin().describeGroup("group-1")).offsetResets());

    for (GroupMember member : members) {
      await(member.leave());
    }
    await(stream.close());
    await(vertx.close());
    // the yardstick, in this JVM right after: one ArrayBlockingQueue per group, the same records
    double queueCpuBefore = ProcCpu.self();
    double queue = QueueYardstick.recordsPerSecond(sent, RECORD_BYTES, (int) Math.min(window, Integer.MAX_VALUE),
        maxSeconds);
    double queueCpu = ProcCpu.self() - queueCpuBefore;
    System.out.printf("yardstick_queue_per_group_records_per_s=%.0f queue_cpu_us_per_record=%.2f stream_to_queue=%.2f%n",
        queue, queueCpu * 1e6 / Math.max(1, sent), (done / (elapsed / 1e9)) / queue);
    if (done < sent) {
      System.out.println("INCOMPLETE: not every record was handled by both groups");
      System.exit(1);
    }
  }

  // Without -XX:+AlwaysPreTouch the first phase pays the kernel's first touch of most of the heap (G1 grows the
  // young generation into it) and the yardstick after it does not: on this kind of machine that cost a run
  // more than a microsecond per record. Said in the output, so that a figure tells how it was taken.
  private static String preTouched() {
    return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("AlwaysPreTouch")
        .getValue();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
