package dev.fanout.loadtest;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The yardstick of {@link MemoryStreamBenchmark}: the same work through plain Java, one
 * {@link ArrayBlockingQueue} per group. One producer thread puts each 100-byte record (its send time in the
 * first bytes, as the benchmark's) into both queues; one consumer thread per group drains its queue in
 * batches and reads each record's time. Records/s counts a record once both groups took it. Run in the same
 * JVM right after the stream, so that the ratio of the two compares like with like on a noisy machine.
 */
final class QueueYardstick {

  private static final int BATCH = 500;

  private QueueYardstick() {
  }

  /** Records/s through two queues of {@code capacity}, for {@code records} records or {@code maxSeconds}. */
  static double recordsPerSecond(long records, int recordBytes, int capacity, long maxSeconds) throws Exception {
    List<ArrayBlockingQueue<byte[]>> queues = List.of(new ArrayBlockingQueue<>(capacity),
        new ArrayBlockingQueue<>(capacity));
    List<AtomicLong> taken = List.of(new AtomicLong(), new AtomicLong());
    AtomicLong sink = new AtomicLong();
    List<Thread> consumers = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      ArrayBlockingQueue<byte[]> queue = queues.get(g);
      AtomicLong count = taken.get(g);
      Thread consumer = new Thread(() -> {
        List<byte[]> batch = new ArrayList<>(BATCH);
        long sum = 0;
        while (count.get() < records) {
          try {
            byte[] first = queue.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
              continue;
            }
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
          } catch (InterruptedException e) {
            return;
          }
          for (byte[] value : batch) {
            sum += ByteBuffer.wrap(value).getLong();
          }
          count.addAndGet(batch.size());
          batch.clear();
        }
        sink.addAndGet(sum);
      }, "yardstick-group-" + g);
      consumer.start();
      consumers.add(consumer);
    }
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
    long sent = 0;
    // the deadline once per 64 records, as MemoryStreamBenchmark reads it
    while (sent < records && ((sent & 63) != 0 || System.nanoTime() < deadline)) {
      byte[] value = new byte[recordBytes];
      ByteBuffer.wrap(value).putLong(System.nanoTime());
      for (ArrayBlockingQueue<byte[]> queue : queues) {
        queue.put(value);
      }
      sent++;
    }
    for (Thread consumer : consumers) {
      consumer.join(TimeUnit.SECONDS.toMillis(maxSeconds));
      consumer.interrupt();
    }
    long elapsed = System.nanoTime() - start;
    long done = Math.min(taken.get(0).get(), taken.get(1).get());
    return done / (elapsed / 1e9);
  }
}
