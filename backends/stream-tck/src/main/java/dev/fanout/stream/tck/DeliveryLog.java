package dev.fanout.stream.tck;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one consumer group handled, in the order the handlers were called, and every breach of the
 * {@link BatchHandler} contract seen on the way.
 *
 * <p>Handlers made by {@link #handler} record a batch when they are called, before the test's behaviour
 * runs, so a batch counts as handled even when its future never completes. The log is a linearisation
 * of handler calls: a handler call on one context that happens before a call on another is logged
 * first.
 *
 * <p>Thread-safe: handlers on many contexts and the test thread share it; every field is guarded by
 * {@code this}.
 */
final class DeliveryLog {

  /** One handler call: which member, which batch, on which context, and when. */
  record Delivery(int index, String member, int partition, List<StreamRecord> records, Context context,
                  long nanoTime) {

    long firstOffset() {
      return records.get(0).offset();
    }

    long lastOffset() {
      return records.get(records.size() - 1).offset();
    }
  }

  private final String group;
  private final String topic;
  private final int maxBatchSize;
  private final int maxBatchesInFlight;

  private final List<Delivery> deliveries = new ArrayList<>();
  private final Map<RecordPosition, Integer> timesHandled = new HashMap<>();
  // per partition, the batches whose futures have not completed yet, in the order they were handed out
  private final Map<Integer, List<Delivery>> inFlight = new HashMap<>();
  private final Set<String> crashed = new HashSet<>();
  private final Map<String, Context> contexts = new HashMap<>();
  private final List<String> violations = new ArrayList<>();

  DeliveryLog(String group, String topic, int maxBatchSize) {
    this(group, topic, maxBatchSize, 1);
  }

  /** @param maxBatchesInFlight the group's {@code maxBatchesInFlight}: batches of one partition handed out at once */
  DeliveryLog(String group, String topic, int maxBatchSize, int maxBatchesInFlight) {
    this.group = group;
    this.topic = topic;
    this.maxBatchSize = maxBatchSize;
    this.maxBatchesInFlight = maxBatchesInFlight;
  }

  String group() {
    return group;
  }

  /**
   * A handler for member {@code member} (a label the test chooses) that logs each batch, checks it
   * against the contract, then hands it to {@code behaviour}.
   */
  BatchHandler handler(String member, BatchHandler behaviour) {
    return batch -> {
      Delivery delivery = arrived(member, batch);
      Future<Void> result;
      try {
        result = behaviour.handle(batch);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      // andThen, not onComplete: the backend must see the completion only after the log has
      return result.andThen(ar -> completed(delivery));
    };
  }

  /** Call before {@code member.crash()}: its in-flight batches may be abandoned from now on. */
  synchronized void crashing(String member) {
    crashed.add(member);
  }

  private synchronized Delivery arrived(String member, List<StreamRecord> batch) {
    Context context = Vertx.currentContext();
    if (batch == null || batch.isEmpty()) {
      violations.add(member + " was handed an empty batch");
      return null;
    }
    StreamRecord first = batch.get(0);
    Delivery delivery = new Delivery(deliveries.size(), member, first.partition(), List.copyOf(batch),
        context, System.nanoTime());
    if (batch.size() > maxBatchSize) {
      violations.add(member + " was handed " + batch.size() + " records, maxBatchSize is " + maxBatchSize);
    }
    for (int i = 0; i < batch.size(); i++) {
      StreamRecord record = batch.get(i);
      if (!record.topic().equals(topic)) {
        violations.add(member + " was handed " + record + " of another topic than " + topic);
      }
      if (record.partition() != first.partition() || record.offset() != first.offset() + i) {
        violations.add(member + " was handed a batch that is not consecutive records of one partition: "
            + batch);
        break;
      }
    }
    if (context == null) {
      violations.add(member + " was called outside a Vert.x context");
    } else {
      Context previous = contexts.putIfAbsent(member, context);
      if (previous != null && !sameContext(context, previous)) {
        violations.add(member + " was called on two different contexts");
      }
    }
    List<Delivery> partitionInFlight = inFlight.computeIfAbsent(delivery.partition(), p -> new ArrayList<>());
    List<Delivery> running = partitionInFlight.stream().filter(d -> !crashed.contains(d.member())).toList();
    if (running.size() >= maxBatchesInFlight) {
      Delivery oldest = running.get(0);
      violations.add("partition " + delivery.partition() + " was handed to " + member + " at offset "
          + delivery.firstOffset() + " while " + oldest.member() + "'s batch at offset "
          + oldest.firstOffset() + " was still in flight"
          + (maxBatchesInFlight > 1 ? " with " + running.size() + " others" : ""));
    } else if (!running.isEmpty()) {
      Delivery newest = running.get(running.size() - 1);
      if (!newest.member().equals(member) || delivery.firstOffset() != newest.lastOffset() + 1) {
        violations.add("partition " + delivery.partition() + " was handed to " + member + " at offset "
            + delivery.firstOffset() + " while " + newest.member() + "'s batch ending at offset "
            + newest.lastOffset() + " was in flight: not the batch after it");
      }
    }
    partitionInFlight.add(delivery);
    deliveries.add(delivery);
    for (StreamRecord record : batch) {
      timesHandled.merge(record.position(), 1, Integer::sum);
    }
    return delivery;
  }

  private synchronized void completed(Delivery delivery) {
    if (delivery != null) {
      List<Delivery> partitionInFlight = inFlight.get(delivery.partition());
      if (partitionInFlight != null) {
        partitionInFlight.remove(delivery);
      }
    }
  }

  /** True when both are the same context, or duplicates of the same one. */
  static boolean sameContext(Context actual, Context expected) {
    if (actual == null || expected == null) {
      return actual == expected;
    }
    if (actual == expected) {
      return true;
    }
    // A duplicate shares its root's context data (get/put) but not its locals: a key put through one is
    // seen through the other exactly when both come from the same root. Public API, unlike unwrap().
    Object probe = new Object();
    expected.put(probe, Boolean.TRUE);
    try {
      return actual.get(probe) != null;
    } finally {
      expected.remove(probe);
    }
  }

  /** Distinct records handled at least once. */
  synchronized int count() {
    return timesHandled.size();
  }

  synchronized Set<RecordPosition> positions() {
    return new HashSet<>(timesHandled.keySet());
  }

  synchronized int timesHandled(RecordPosition position) {
    return timesHandled.getOrDefault(position, 0);
  }

  synchronized List<Delivery> deliveries() {
    return new ArrayList<>(deliveries);
  }

  synchronized List<Delivery> deliveriesTo(String member) {
    return deliveries.stream().filter(d -> d.member().equals(member)).toList();
  }

  /** Every handled record, in handling order, with repeats. */
  synchronized List<StreamRecord> records() {
    return deliveries.stream().flatMap(d -> d.records().stream()).toList();
  }

  synchronized List<String> violations() {
    return new ArrayList<>(violations);
  }

  /**
   * Checks the at-least-once ordering of a group that started every partition at offset 0 and was never
   * reset: on every partition each batch starts at or before the offset after the highest one handled so
   * far (a redelivery may go back, never skip ahead), and for every key no record is handled for the
   * first time before its predecessor (by {@code seq}).
   *
   * @return a description of each breach; empty when the order holds
   */
  synchronized List<String> orderViolations() {
    List<String> problems = new ArrayList<>();
    Map<Integer, Long> highest = new HashMap<>();
    Map<String, Integer> nextSeq = new LinkedHashMap<>();
    for (Delivery delivery : deliveries) {
      long high = highest.getOrDefault(delivery.partition(), -1L);
      if (delivery.firstOffset() > high + 1) {
        problems.add("partition " + delivery.partition() + ": a batch to " + delivery.member()
            + " starts at offset " + delivery.firstOffset() + " but only offsets up to " + high
            + " were handled: records " + (high + 1) + ".." + (delivery.firstOffset() - 1) + " skipped");
      }
      highest.put(delivery.partition(), Math.max(high, delivery.lastOffset()));
      for (StreamRecord record : delivery.records()) {
        String key = TestRecords.keyOf(record);
        int seq = TestRecords.seqOf(record);
        int next = nextSeq.getOrDefault(key, 0);
        if (seq == next) {
          nextSeq.put(key, next + 1);
        } else if (seq > next) {
          problems.add("key " + key + ": seq " + seq + " (" + record + ") handled for the first time"
              + " before seq " + next);
          nextSeq.put(key, seq + 1);
        }
      }
    }
    return problems;
  }

  /** For every key, how many consecutive records from seq 0 were handled. */
  synchronized Map<String, Integer> handledPrefixPerKey() {
    Map<String, Set<Integer>> seen = new HashMap<>();
    for (Delivery delivery : deliveries) {
      for (StreamRecord record : delivery.records()) {
        seen.computeIfAbsent(TestRecords.keyOf(record), k -> new HashSet<>()).add(TestRecords.seqOf(record));
      }
    }
    Map<String, Integer> prefix = new HashMap<>();
    seen.forEach((key, seqs) -> {
      int n = 0;
      while (seqs.contains(n)) {
        n++;
      }
      prefix.put(key, n);
    });
    return prefix;
  }
}
