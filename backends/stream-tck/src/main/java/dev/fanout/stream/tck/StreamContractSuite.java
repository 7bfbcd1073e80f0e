package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.GroupSnapshots.assertBalanced;
import static dev.fanout.stream.tck.GroupSnapshots.committedOffsets;
import static dev.fanout.stream.tck.GroupSnapshots.logEndOffsets;
import static dev.fanout.stream.tck.GroupSnapshots.ownedPartitions;
import static dev.fanout.stream.tck.GroupSnapshots.partitionsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.GroupState;
import dev.fanout.stream.KeyPartitioner;
import dev.fanout.stream.OffsetSpec;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.TopicDescription;
import dev.fanout.stream.tck.DeliveryLog.Delivery;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract of the stream SPI ({@code dev.fanout.stream}), run unchanged against every backend.
 *
 * <p>A backend's test extends this class, starts its servers once per class (in its own
 * {@code @BeforeAll}) and implements {@link #openStream} and {@link #backendName}. The suite owns one
 * {@link Vertx} per class and opens a fresh stream before each test; every test uses topics and groups
 * of its own, so one broker serves the whole class.
 *
 * <p>The tests block only the test thread (and Awaitility's polling thread) on futures; handlers never
 * block and complete their futures on their own context. Waiting is always on a condition, bounded by
 * {@link #timeout()}; "nothing happens" is checked as a condition that holds for {@link #quietPeriod()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StreamContractSuite {

  /** A system property that replays a given seed in the membership churn test. */
  public static final String SEED_PROPERTY = "fanout.tck.seed";

  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final BatchHandler OK = batch -> Future.succeededFuture();

  // per class: topics and groups of one run never collide with another run's on a persistent broker
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  // every log made in the current test, checked for contract breaches after it
  private final List<DeliveryLog> logs = new CopyOnWriteArrayList<>();

  protected Vertx vertx;
  protected EventStream stream;

  /**
   * Opens a fresh client of the backend under test. Called once per test; the backend's servers (a broker)
   * are started once per class by the subclass.
   */
  protected abstract Future<EventStream> openStream(Vertx vertx);

  /** The name the backend under test registers with {@link StreamBackends}. */
  protected abstract String backendName();

  /** Partitions of every topic the suite creates; at least 2, since null keys must spread over several. */
  protected int partitions() {
    return 6;
  }

  /** The bound on every wait and every blocking join; generous, since Kafka rebalances take seconds. */
  protected Duration timeout() {
    return Duration.ofSeconds(60);
  }

  /** How long "nothing happens" must hold, e.g. a paused member handling nothing. */
  protected Duration quietPeriod() {
    return Duration.ofSeconds(1);
  }

  /** Records written in the membership churn test. */
  protected int churnRecords() {
    return 10_000;
  }

  /** Distinct keys in the membership churn test. */
  protected int churnKeys() {
    return 50;
  }

  /** Joins, leaves and crashes in the membership churn test. */
  protected int churnMembershipChanges() {
    return 12;
  }

  /** The churn test's seed: {@value #SEED_PROPERTY} when set, otherwise a fresh one. */
  protected long churnSeed() {
    return Long.getLong(SEED_PROPERTY, new Random().nextLong());
  }

  @BeforeAll
  final void tckStartVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  final void tckCloseVertx() {
    if (vertx != null) {
      join(vertx.close());
    }
  }

  @BeforeEach
  final void tckOpenStream() {
    stream = join(openStream(vertx));
  }

  @AfterEach
  final void tckCloseStream() {
    try {
      if (stream != null) {
        join(stream.close());
      }
    } finally {
      stream = null;
      List<String> breaches = logs.stream().flatMap(log -> log.violations().stream()).toList();
      logs.clear();
      assertThat(breaches).as("breaches of the BatchHandler contract").isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Producing

  @Test
  void sendReportsWhereEachRecordLandsKeysFollowThePartitionerAndOffsetsAreConsecutive() {
    int n = partitions();
    String topic = createTopic("send");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("trace-id", "t-1");
    headers.put("origin", "tck");
    long before = System.currentTimeMillis();
    Map<String, Future<RecordPosition>> sends = new LinkedHashMap<>();
    for (int seq = 0; seq < 10; seq++) {
      for (int k = 0; k < 20; k++) {
        String key = "user-" + k;
        sends.put(key + ":" + seq, stream.send(topic, key, headers, TestRecords.value(key, seq)));
      }
    }
    for (int seq = 0; seq < 60; seq++) {
      sends.put("null:" + seq, stream.send(topic, null, headers, TestRecords.value(null, seq)));
    }
    Map<String, RecordPosition> positions = new LinkedHashMap<>();
    sends.forEach((id, future) -> positions.put(id, join(future)));
    long after = System.currentTimeMillis();

    for (int k = 0; k < 20; k++) {
      String key = "user-" + k;
      long previous = -1;
      for (int seq = 0; seq < 10; seq++) {
        RecordPosition position = positions.get(key + ":" + seq);
        assertThat(position.partition()).as("partition of %s:%d", key, seq)
            .isEqualTo(KeyPartitioner.partition(key, n));
        assertThat(position.offset()).as("offset of %s:%d, sent after %s:%d by one caller", key, seq, key,
            seq - 1).isGreaterThan(previous);
        previous = position.offset();
      }
    }
    Map<Integer, List<Long>> offsets = offsetsByPartition(positions.values());
    assertThat(offsets.keySet()).as("partitions records landed on").allMatch(p -> p >= 0 && p < n);
    offsets.forEach((partition, list) -> assertThat(list).as("offsets of partition %d", partition)
        .isEqualTo(LongStream.range(0, list.size()).boxed().toList()));
    Set<Integer> unkeyed = positions.entrySet().stream().filter(e -> e.getKey().startsWith("null:"))
        .map(e -> e.getValue().partition()).collect(Collectors.toSet());
    assertThat(unkeyed).as("partitions of 60 records without a key").hasSizeGreaterThan(1);

    TopicDescription description = topicDescription(topic);
    assertThat(description.partitions()).as("partitions of %s", topic).hasSize(n);
    for (TopicDescription.PartitionRange range : description.partitions()) {
      assertThat(range.startOffset()).as("start offset of partition %d", range.partition()).isZero();
      assertThat(range.endOffset()).as("end offset of partition %d", range.partition())
          .isEqualTo(offsets.getOrDefault(range.partition(), List.of()).size());
    }

    String group = name("send-group");
    DeliveryLog log = newLog(group, topic, SubscribeOptions.DEFAULT_MAX_BATCH_SIZE);
    subscribe(SubscribeOptions.of(topic, group), log, "m1", OK);
    eventually().untilAsserted(() -> assertThat(log.count()).as("records handled").isEqualTo(positions.size()));
    for (StreamRecord record : log.records()) {
      String id = TestRecords.idOf(record);
      assertThat(record.position()).as("position of %s as consumed", id).isEqualTo(positions.get(id));
      assertThat(record.key()).as("key of %s", id)
          .isEqualTo(id.startsWith("null:") ? null : TestRecords.keyOf(record));
      assertThat(record.headers()).as("headers of %s", id).isEqualTo(headers);
      assertThat(List.copyOf(record.headers().keySet())).as("header order of %s", id)
          .containsExactly("trace-id", "origin");
      assertThat(record.timestamp()).as("timestamp of %s", id).isBetween(before, after);
    }
  }

  @Test
  void createTopicIsIdempotentAndSendingToAnUnknownTopicFails() {
    String topic = name("admin");
    join(stream.admin().createTopic(topic, partitions(), 1));
    join(stream.admin().createTopic(topic, partitions(), 1));
    assertThat(failure(stream.admin().createTopic(topic, partitions() + 1, 1)))
        .as("creating %s again with another partition count", topic).isNotNull();
    assertThat(topicDescription(topic).partitions()).hasSize(partitions());
    assertThat(failure(stream.send(name("missing"), "k", Map.of(), TestRecords.value("k", 0))))
        .as("sending to a topic that does not exist").isNotNull();
  }

  @Test
  void eachKeyKeepsItsSendOrderUnderConcurrentProducers() throws Exception {
    String topic = createTopic("order");
    String group = name("order-group");
    DeliveryLog log = newLog(group, topic, 50);
    subscribe(SubscribeOptions.of(topic, group).withMaxBatchSize(50), log, "m1", OK);
    subscribe(SubscribeOptions.of(topic, group).withMaxBatchSize(50), log, "m2", OK);

    int perKey = 300;
    Map<String, RecordPosition> positions = new ConcurrentHashMap<>();
    Map<String, Integer> sentPerKey = new HashMap<>();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Future<?>>> threadProducers = new ArrayList<>();
      List<Future<String>> contextProducers = new ArrayList<>();
      List<VerticleBase> producerVerticles = new ArrayList<>();
      for (int producer = 0; producer < 5; producer++) {
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
          keys.add("producer-" + producer + "-key-" + k);
          sentPerKey.put("producer-" + producer + "-key-" + k, perKey);
        }
        if (producer < 2) {
          threadProducers.add(CompletableFuture.supplyAsync(() -> {
            awaitLatch(go);
            return sendInterleaved(topic, keys, perKey, positions);
          }, threads));
        } else {
          producerVerticles.add(new VerticleBase() {
            @Override
            public Future<?> start() {
              return sendInterleaved(topic, keys, perKey, positions);
            }
          });
        }
      }
      // the threads start as the verticles are deployed, each verticle on a context of its own
      go.countDown();
      producerVerticles.forEach(verticle -> contextProducers.add(vertx.deployVerticle(verticle)));
      for (CompletableFuture<Future<?>> producer : threadProducers) {
        join(producer.get(timeout().toMillis(), TimeUnit.MILLISECONDS));
      }
      contextProducers.forEach(this::join);
    } finally {
      threads.shutdownNow();
    }

    sentPerKey.forEach((key, count) -> {
      for (int seq = 1; seq < count; seq++) {
        assertThat(positions.get(key + ":" + seq).offset()).as("offset of %s:%d", key, seq)
            .isGreaterThan(positions.get(key + ":" + (seq - 1)).offset());
      }
    });
    eventually().untilAsserted(() -> assertThat(log.handledPrefixPerKey()).isEqualTo(sentPerKey));
    assertThat(log.orderViolations()).as("order of handling").isEmpty();
  }

  @Test
  void handlersAndMemberFuturesRunOnTheSubscribingContext() {
    String topic = createTopic("context");
    String group = name("context-group");
    DeliveryLog log = newLog(group, topic, 10);
    Context context = vertx.getOrCreateContext();
    Promise<GroupMember> joined = Promise.promise();
    context.runOnContext(v -> stream.subscribe(SubscribeOptions.of(topic, group).withMaxBatchSize(10),
        log.handler("m1", OK)).onComplete(joined));
    GroupMember member = join(joined.future());
    assertThat(member.group()).isEqualTo(group);
    assertThat(member.topic()).isEqualTo(topic);
    new Sender(topic).sendAll(keysOnEveryPartition(5));
    eventually().untilAsserted(() -> assertThat(log.count()).isEqualTo(5 * partitions()));
    for (Delivery delivery : log.deliveries()) {
      assertThat(DeliveryLog.sameContext(delivery.context(), context))
          .as("batch %s handled on the context that subscribed", delivery.records()).isTrue();
    }
    // a callback added to a completed future runs where the future completes, deterministically
    for (Future<Void> future : List.of(member.pause(), member.resume())) {
      join(future);
      AtomicReference<Context> completedOn = new AtomicReference<>();
      join(future.andThen(ar -> completedOn.set(Vertx.currentContext())));
      assertThat(DeliveryLog.sameContext(completedOn.get(), context))
          .as("context of a callback on a completed pause()/resume() future: %s", completedOn.get()).isTrue();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Write once, read by many

  @Test
  void everyGroupReadsEveryRecordAndReadingRemovesNothing() {
    String topic = createTopic("fanout");
    List<RecordPosition> sent = new Sender(topic).sendAll(keys(30, 10));
    List<DeliveryLog> groups = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      DeliveryLog log = newLog(name("fanout-group"), topic, 50);
      subscribe(SubscribeOptions.of(topic, log.group()).withMaxBatchSize(50), log, "m1", OK);
      groups.add(log);
    }
    for (DeliveryLog log : groups) {
      eventually().untilAsserted(() -> {
        assertThat(log.positions()).as("records handled by %s", log.group()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(describe(log.group(), topic).totalLag()).as("lag of %s", log.group()).isZero();
      });
    }
    TopicDescription description = topicDescription(topic);
    assertThat(description.partitions().stream().mapToLong(TopicDescription.PartitionRange::startOffset).sum())
        .as("start offsets after three groups read everything").isZero();
    assertThat(description.partitions().stream().mapToLong(TopicDescription.PartitionRange::endOffset).sum())
        .isEqualTo(sent.size());
    DeliveryLog late = newLog(name("fanout-late"), topic, 50);
    subscribe(SubscribeOptions.of(topic, late.group()).withMaxBatchSize(50), late, "m1", OK);
    eventually().untilAsserted(() -> assertThat(late.positions()).as("records handled by a group that came later")
        .containsExactlyInAnyOrderElementsOf(sent));
  }

  @Test
  void aStalledOrFailingGroupDoesNotHoldBackAnother() {
    String topic = createTopic("stall");
    DeliveryLog stuck = newLog(name("stuck"), topic, 10);
    DeliveryLog failing = newLog(name("failing"), topic, 10);
    DeliveryLog healthy = newLog(name("healthy"), topic, 10);
    HeldBatches holder = new HeldBatches(batch -> true);
    GroupMember stuckMember = subscribe(SubscribeOptions.of(topic, stuck.group()).withMaxBatchSize(10), stuck,
        "stuck", holder.behaviour());
    try {
      subscribe(SubscribeOptions.of(topic, failing.group()).withMaxBatchSize(10).withRetryDelayMs(10), failing,
          "failing", batch -> Future.failedFuture(new IllegalStateException("tck: this group always fails")));
      subscribe(SubscribeOptions.of(topic, healthy.group()).withMaxBatchSize(10), healthy, "healthy", OK);
      Sender sender = new Sender(topic);
      List<RecordPosition> sent = new ArrayList<>(sender.sendAll(keys(40, 10)));
      eventually().untilAsserted(() -> {
        assertThat(healthy.positions()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(describe(healthy.group(), topic).totalLag()).as("lag of the healthy group").isZero();
        assertThat(stuck.deliveries()).as("batches handed to the stalled group").isNotEmpty();
        assertThat(failing.deliveries().size()).as("batches handed to the failing group").isGreaterThan(1);
      });
      // the healthy group keeps up while the others are still stuck
      sent.addAll(sender.sendAll(keys(40, 5)));
      eventually().untilAsserted(() -> {
        assertThat(healthy.positions()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(describe(healthy.group(), topic).totalLag()).as("lag of the healthy group").isZero();
      });
      int stuckBatches = stuck.deliveries().size();
      holdsFor(quietPeriod(), () -> {
        // nothing was ever committed by these groups, so their lag is every record written
        assertThat(describe(stuck.group(), topic).totalLag()).as("lag of the stalled group").isEqualTo(sent.size());
        assertThat(describe(failing.group(), topic).totalLag()).as("lag of the failing group").isEqualTo(sent.size());
        assertThat(stuck.deliveries()).as("batches handed to the stalled group").hasSize(stuckBatches);
      });
    } finally {
      stuck.crashing("stuck");
      join(stuckMember.crash());
      holder.releaseAll();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Redelivery

  @Test
  void aCrashedMembersInFlightBatchesGoToTheNextOwnerFromTheCommittedOffset() {
    int n = partitions();
    int perPartition = 8;
    String topic = createTopic("crash");
    String group = name("crash-group");
    new Sender(topic).sendAll(keysOnEveryPartition(perPartition));
    DeliveryLog log = newLog(group, topic, 3);
    // batches of at most 3 records: the one reaching offset 3 starts at 1 or later, after a committed batch
    HeldBatches holder = new HeldBatches(batch -> batch.get(batch.size() - 1).offset() >= 3);
    SubscribeOptions options = SubscribeOptions.of(topic, group).withMaxBatchSize(3);
    GroupMember first = subscribe(options, log, "first", holder.behaviour());
    eventually().untilAsserted(() -> {
      assertThat(holder.held().keySet()).as("partitions with a batch in flight").hasSize(n);
      assertThat(committedOffsets(describe(group, topic))).as("committed offsets while batches are in flight")
          .isEqualTo(holder.firstHeldOffsets());
    });
    Map<Integer, Long> committedAtCrash = holder.firstHeldOffsets();
    log.crashing("first");
    join(first.crash());
    // the crashed member's batches finish after the crash: they were abandoned and must not commit
    holder.releaseAll();
    holdsFor(quietPeriod(), () -> assertThat(committedOffsets(describe(group, topic)))
        .as("committed offsets after the crash").isEqualTo(committedAtCrash));

    subscribe(options, log, "second", OK);
    eventually().untilAsserted(() -> {
      assertThat(log.count()).as("records handled").isEqualTo(n * perPartition);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    for (int p = 0; p < n; p++) {
      int partition = p;
      List<Delivery> toSecond = log.deliveriesTo("second").stream().filter(d -> d.partition() == partition).toList();
      assertThat(toSecond).as("batches of partition %d handed to the next owner", p).isNotEmpty();
      assertThat(toSecond.get(0).firstOffset()).as("where the next owner started partition %d", p)
          .isEqualTo(committedAtCrash.get(p));
    }
    assertThat(log.orderViolations()).isEmpty();
  }

  @Test
  void aLeavingMemberFinishesAndCommitsItsInFlightBatchesBeforeItsPartitionsMove() {
    int n = partitions();
    int perPartition = 6;
    String topic = createTopic("leave");
    String group = name("leave-group");
    DeliveryLog log = newLog(group, topic, 3);
    HeldBatches holder = new HeldBatches(batch -> true);
    SubscribeOptions options = SubscribeOptions.of(topic, group).withMaxBatchSize(3);
    GroupMember leaver = subscribe(options, log, "leaver", holder.behaviour());
    GroupMember stayer = subscribe(options, log, "stayer", OK);
    eventually().untilAsserted(() -> {
      GroupDescription description = describe(group, topic);
      assertThat(ownedPartitions(description)).hasSize(n);
      assertThat(description.members()).hasSize(2).noneMatch(GroupDescription.Member::idle);
      assertThat(leaver.assignment()).isEqualTo(partitionsOf(description, leaver.memberId()));
      assertThat(stayer.assignment()).isEqualTo(partitionsOf(description, stayer.memberId()));
    });
    Set<Integer> leaverPartitions = leaver.assignment();
    List<RecordPosition> sent = new Sender(topic).sendAll(keysOnEveryPartition(perPartition));
    eventually().untilAsserted(() -> {
      assertThat(holder.held().keySet()).as("partitions of the leaver with a batch in flight")
          .isEqualTo(leaverPartitions);
      assertThat(log.deliveriesTo("stayer").stream().mapToInt(d -> d.records().size()).sum())
          .as("records handled by the stayer").isEqualTo(perPartition * (n - leaverPartitions.size()));
    });

    Future<Void> leaving = leaver.leave();
    holdsFor(quietPeriod(), () -> assertThat(log.deliveriesTo("stayer"))
        .as("batches of the leaver's partitions handed to the stayer while the leaver's are in flight")
        .noneMatch(d -> leaverPartitions.contains(d.partition())));
    Map<Integer, Long> lastHeld = holder.lastHeldOffsets();
    holder.releaseAll();
    join(leaving);
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    for (Delivery delivery : log.deliveriesTo("stayer")) {
      if (leaverPartitions.contains(delivery.partition())) {
        assertThat(delivery.firstOffset()).as("offset the stayer took partition %d over at", delivery.partition())
            .isGreaterThan(lastHeld.get(delivery.partition()));
      }
    }
    sent.forEach(position -> assertThat(log.timesHandled(position)).as("times %s was handled", position).isOne());
  }

  @Test
  void aJoiningMemberTakesOverAPartitionOnlyAfterItsInFlightBatchFinished() {
    int n = partitions();
    int perPartition = 6;
    String topic = createTopic("join");
    String group = name("join-group");
    List<RecordPosition> sent = new Sender(topic).sendAll(keysOnEveryPartition(perPartition));
    DeliveryLog log = newLog(group, topic, 3);
    HeldBatches holder = new HeldBatches(batch -> batch.get(0).offset() == 0);
    SubscribeOptions options = SubscribeOptions.of(topic, group).withMaxBatchSize(3);
    subscribe(options, log, "owner", holder.behaviour());
    eventually().untilAsserted(() -> assertThat(holder.held().keySet()).as("partitions with a batch in flight")
        .hasSize(n));
    GroupMember joiner = subscribe(options, log, "joiner", OK);
    holdsFor(quietPeriod(), () -> assertThat(log.deliveriesTo("joiner"))
        .as("batches handed to a new member while every partition has a batch in flight").isEmpty());
    Map<Integer, Long> lastHeld = holder.lastHeldOffsets();
    holder.releaseAll();
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
      assertThat(joiner.assignment()).as("partitions of the new member").isNotEmpty();
    });
    for (int partition : joiner.assignment()) {
      List<Delivery> taken = log.deliveriesTo("joiner").stream().filter(d -> d.partition() == partition).toList();
      assertThat(taken).as("batches of partition %d handed to the new member", partition).isNotEmpty();
      assertThat(taken.get(0).firstOffset()).as("offset the new member took partition %d over at", partition)
          .isEqualTo(lastHeld.get(partition) + 1);
    }
    sent.forEach(position -> assertThat(log.timesHandled(position)).as("times %s was handled", position).isOne());
  }

  @Test
  void aFailedBatchIsRedeliveredFromTheCommittedOffsetAfterTheRetryDelay() {
    int perPartition = 6;
    long retryDelayMs = 200;
    String topic = createTopic("fail");
    String group = name("fail-group");
    AtomicBoolean healed = new AtomicBoolean();
    List<Delivery> failures = new CopyOnWriteArrayList<>();
    DeliveryLog log = newLog(group, topic, 2);
    BatchHandler failOnPartition0 = batch -> {
      // batches of at most 2 records: the one reaching offset 2 starts at 1 or later, after a committed batch
      if (!healed.get() && batch.get(0).partition() == 0 && batch.get(batch.size() - 1).offset() >= 2) {
        failures.add(new Delivery(failures.size(), "m1", 0, batch, Vertx.currentContext(), System.nanoTime()));
        return Future.failedFuture(new IllegalStateException("tck: induced failure"));
      }
      return Future.succeededFuture();
    };
    subscribe(SubscribeOptions.of(topic, group).withMaxBatchSize(2).withRetryDelayMs(retryDelayMs), log, "m1",
        failOnPartition0);
    List<RecordPosition> sent = new Sender(topic).sendAll(keysOnEveryPartition(perPartition));
    eventually().untilAsserted(() -> assertThat(failures).as("failed deliveries").hasSizeGreaterThanOrEqualTo(3));
    long failedAt = failures.get(0).firstOffset();
    holdsFor(quietPeriod(), () -> assertThat(committedOffsets(describe(group, topic)).get(0))
        .as("committed offset of partition 0 while its batch at %d fails", failedAt).isEqualTo(failedAt));
    healed.set(true);
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });

    List<Delivery> failed = List.copyOf(failures);
    for (int i = 1; i < failed.size(); i++) {
      assertThat(failed.get(i).firstOffset()).as("offset failed batch %d was redelivered from", i)
          .isEqualTo(failedAt);
      long gapMs = TimeUnit.NANOSECONDS.toMillis(failed.get(i).nanoTime() - failed.get(i - 1).nanoTime());
      assertThat(gapMs).as("ms between redeliveries with retryDelayMs %d", retryDelayMs)
          .isGreaterThanOrEqualTo(retryDelayMs * 9 / 10);
    }
    assertThat(log.orderViolations()).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Membership

  @Test
  void extraMembersAreIdleAndTakeOverWhenAnActiveMemberLeaves() {
    int n = partitions();
    String topic = createTopic("idle");
    String group = name("idle-group");
    DeliveryLog log = newLog(group, topic, 20);
    Map<String, GroupMember> members = new LinkedHashMap<>();
    for (int i = 0; i < n + 2; i++) {
      members.put("m" + i, subscribe(SubscribeOptions.of(topic, group).withMaxBatchSize(20), log, "m" + i, OK));
    }
    eventually().untilAsserted(() -> assertBalanced(describe(group, topic), members, 2));
    Set<String> idle = new HashSet<>();
    members.forEach((label, member) -> {
      if (member.idle()) {
        idle.add(label);
      }
    });
    Sender sender = new Sender(topic);
    List<RecordPosition> sent = new ArrayList<>(sender.sendAll(keysOnEveryPartition(5)));
    eventually().untilAsserted(() -> assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent));
    assertThat(log.deliveries()).as("batches handed to idle members").noneMatch(d -> idle.contains(d.member()));

    String leaving = members.keySet().stream().filter(label -> !idle.contains(label)).findFirst().orElseThrow();
    join(members.remove(leaving).leave());
    int handedToLeaver = log.deliveriesTo(leaving).size();
    eventually().untilAsserted(() -> {
      GroupDescription description = describe(group, topic);
      assertBalanced(description, members, 1);
      assertThat(idle).as("formerly idle members").anyMatch(label -> !members.get(label).idle());
    });
    sent.addAll(sender.sendAll(keysOnEveryPartition(5)));
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    assertThat(log.deliveriesTo(leaving)).as("batches handed to %s after it left", leaving).hasSize(handedToLeaver);
    assertThat(log.orderViolations()).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Admin

  @Test
  void describeGroupListTopicsAndListGroupsReportOffsetsAndLag() {
    int n = partitions();
    String topic = createTopic("describe");
    String group = name("describe-group");
    Sender sender = new Sender(topic);
    Map<Integer, Long> counts = new TreeMap<>();
    List<String> keys = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      counts.put(p, (long) p + 2);
      for (int i = 0; i < p + 2; i++) {
        keys.add(TestRecords.keyOn(p, n, 0));
      }
    }
    sender.sendAll(keys);
    DeliveryLog log = newLog(group, topic, 50);
    Map<String, GroupMember> members = new LinkedHashMap<>();
    members.put("m1", subscribe(SubscribeOptions.of(topic, group), log, "m1", OK));
    members.put("m2", subscribe(SubscribeOptions.of(topic, group), log, "m2", OK));
    eventually().untilAsserted(() -> {
      GroupDescription description = describe(group, topic);
      assertBalanced(description, members, 0);
      assertThat(description.state()).isEqualTo(GroupState.STABLE);
      assertThat(committedOffsets(description)).as("committed offsets").isEqualTo(counts);
      assertThat(logEndOffsets(description)).as("log-end offsets").isEqualTo(counts);
      assertThat(description.totalLag()).isZero();
    });

    List<TopicDescription> topics = join(stream.admin().listTopics());
    assertThat(topics).extracting(TopicDescription::name).as("listTopics order").isSorted().contains(topic);
    TopicDescription description = topicDescription(topic);
    assertThat(description.partitions()).extracting(TopicDescription.PartitionRange::partition)
        .containsExactlyInAnyOrderElementsOf(counts.keySet());
    for (TopicDescription.PartitionRange range : description.partitions()) {
      assertThat(range.startOffset()).isZero();
      assertThat(range.endOffset()).as("end offset of partition %d", range.partition())
          .isEqualTo(counts.get(range.partition()));
    }
    assertThat(join(stream.admin().listGroups())).as("listGroups").isSorted().contains(group);

    join(stream.pauseGroup(group));
    sender.sendAll(keysOnEveryPartition(3));
    eventually().untilAsserted(() -> {
      GroupDescription paused = describe(group, topic);
      for (GroupDescription.PartitionLag lag : paused.partitions()) {
        assertThat(lag.committed()).isEqualTo(counts.get(lag.partition()));
        assertThat(lag.logEnd()).isEqualTo(counts.get(lag.partition()) + 3);
        assertThat(lag.lag()).isEqualTo(3);
      }
    });
    join(stream.resumeGroup(group));
    eventually().untilAsserted(() -> assertThat(describe(group, topic).totalLag()).isZero());

    for (GroupMember member : members.values()) {
      join(member.leave());
    }
    eventually().untilAsserted(() -> {
      GroupDescription empty = describe(group, topic);
      assertThat(empty.state()).isEqualTo(GroupState.EMPTY);
      assertThat(empty.members()).isEmpty();
      assertThat(empty.totalLag()).as("lag kept after the members left").isZero();
    });
    assertThat(join(stream.admin().listGroups())).as("listGroups after the members left").contains(group);
    assertThat(failure(stream.admin().describeGroup(name("no-such-group")))).as("describing an unknown group")
        .isNotNull();
  }

  @Test
  void resetToEarliestReplaysAGroupWhoseMembersLeftAndPreviewChangesNothing() {
    String topic = createTopic("reset-left");
    String group = name("reset-left-group");
    List<RecordPosition> sent = new Sender(topic).sendAll(keys(20, 5));
    Map<Integer, Long> ends = consumeAllThenLeave(topic, group, sent);
    Map<Integer, Long> zeros = zeros();

    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.earliest(), true)))
        .as("preview of a reset to earliest").isEqualTo(zeros);
    assertThat(committedOffsets(describe(group, topic))).as("committed offsets after a preview").isEqualTo(ends);
    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.earliest(), false)))
        .as("reset to earliest").isEqualTo(zeros);
    GroupDescription reset = describe(group, topic);
    assertThat(committedOffsets(reset)).isEqualTo(zeros);
    assertThat(reset.totalLag()).isEqualTo(sent.size());

    DeliveryLog replay = newLog(group, topic, 50);
    subscribe(SubscribeOptions.of(topic, group), replay, "replayer", OK);
    eventually().untilAsserted(() -> {
      assertThat(replay.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
  }

  @Test
  void resetToEarliestReplaysARunningGroupAndPreviewChangesNothing() {
    String topic = createTopic("reset-running");
    String group = name("reset-running-group");
    List<RecordPosition> sent = new Sender(topic).sendAll(keys(20, 5));
    DeliveryLog log = newLog(group, topic, 50);
    GroupMember member = subscribe(SubscribeOptions.of(topic, group), log, "m1", OK);
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    Map<Integer, Long> ends = committedOffsets(describe(group, topic));

    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.earliest(), true)))
        .as("preview of a reset to earliest").isEqualTo(zeros());
    int deliveries = log.deliveries().size();
    holdsFor(quietPeriod(), () -> {
      assertThat(log.deliveries()).as("batches handed out after a preview").hasSize(deliveries);
      assertThat(committedOffsets(describe(group, topic))).isEqualTo(ends);
    });
    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.earliest(), false)))
        .as("reset to earliest").isEqualTo(zeros());
    eventually().untilAsserted(() -> {
      sent.forEach(position -> assertThat(log.timesHandled(position)).as("times %s was handled", position)
          .isGreaterThanOrEqualTo(2));
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    assertThat(member.paused()).as("member paused after the reset").isFalse();
    assertThat(member.assignment()).as("partitions of the member after the reset").hasSize(partitions());
  }

  @Test
  void resetToLatestSkipsEverythingWrittenBefore() {
    String topic = createTopic("reset-latest");
    String group = name("reset-latest-group");
    Sender sender = new Sender(topic);
    List<RecordPosition> first = sender.sendAll(keys(20, 2));
    consumeAllThenLeave(topic, group, first);
    sender.sendAll(keys(20, 2));
    Map<Integer, Long> ends = logEndOffsets(describe(group, topic));

    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.latest(), true)))
        .as("preview of a reset to latest").isEqualTo(ends);
    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.latest(), false)))
        .as("reset to latest").isEqualTo(ends);
    GroupDescription reset = describe(group, topic);
    assertThat(committedOffsets(reset)).isEqualTo(ends);
    assertThat(reset.totalLag()).isZero();

    DeliveryLog log = newLog(group, topic, 50);
    subscribe(SubscribeOptions.of(topic, group), log, "m1", OK);
    List<RecordPosition> later = sender.sendAll(keys(20, 2));
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).as("records handled after the reset").containsExactlyInAnyOrderElementsOf(later);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
  }

  @Test
  void resetToTimestampMovesToTheFirstRecordAtOrAfterIt() {
    String topic = createTopic("reset-time");
    String group = name("reset-time-group");
    Sender sender = new Sender(topic);
    DeliveryLog log = newLog(group, topic, 50);
    GroupMember member = subscribe(SubscribeOptions.of(topic, group), log, "m1", OK);
    List<RecordPosition> before = sender.sendAll(keys(20, 2));
    eventually().untilAsserted(() -> assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(before));
    long lastBefore = log.records().stream().mapToLong(StreamRecord::timestamp).max().orElseThrow();
    // the later records get a later timestamp than every earlier one
    eventually().until(() -> System.currentTimeMillis() > lastBefore);
    List<RecordPosition> after = sender.sendAll(keys(20, 2));
    eventually().untilAsserted(() -> {
      assertThat(log.count()).isEqualTo(before.size() + after.size());
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    join(member.leave());
    eventually().untilAsserted(() -> assertThat(describe(group, topic).members()).isEmpty());
    Set<RecordPosition> afterSet = Set.copyOf(after);
    long at = log.records().stream().filter(r -> afterSet.contains(r.position()))
        .mapToLong(StreamRecord::timestamp).min().orElseThrow();
    Map<Integer, Long> ends = logEndOffsets(describe(group, topic));
    Map<Integer, Long> expected = new TreeMap<>(ends);
    for (StreamRecord record : log.records()) {
      if (record.timestamp() >= at) {
        expected.merge(record.partition(), record.offset(), Math::min);
      }
    }

    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.timestamp(at + 86_400_000L), true)))
        .as("preview of a reset to a timestamp after every record").isEqualTo(ends);
    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.timestamp(at), true)))
        .as("preview of a reset to timestamp %d", at).isEqualTo(expected);
    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.timestamp(at), false)))
        .as("reset to timestamp %d", at).isEqualTo(expected);
    assertThat(committedOffsets(describe(group, topic))).isEqualTo(expected);

    DeliveryLog replay = newLog(group, topic, 50);
    subscribe(SubscribeOptions.of(topic, group), replay, "replayer", OK);
    eventually().untilAsserted(() -> {
      assertThat(describe(group, topic).totalLag()).isZero();
      assertThat(replay.positions()).as("records replayed after the reset").containsExactlyInAnyOrderElementsOf(after);
    });
  }

  @Test
  void resetToAnOffsetIsClampedToTheRetainedRange() {
    int n = partitions();
    String topic = createTopic("reset-offset");
    String group = name("reset-offset-group");
    List<String> keys = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      for (int i = 0; i < p; i++) {
        keys.add(TestRecords.keyOn(p, n, 0));
      }
    }
    List<RecordPosition> sent = new Sender(topic).sendAll(keys);
    consumeAllThenLeave(topic, group, sent);
    long target = 3;
    Map<Integer, Long> expected = new TreeMap<>();
    for (int p = 0; p < n; p++) {
      expected.put(p, Math.min(target, p));
    }
    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.offset(target), false)))
        .as("reset to offset %d", target).isEqualTo(expected);
    assertThat(committedOffsets(describe(group, topic))).isEqualTo(expected);
    DeliveryLog replay = newLog(group, topic, 50);
    subscribe(SubscribeOptions.of(topic, group), replay, "replayer", OK);
    List<RecordPosition> replayed = sent.stream().filter(pos -> pos.offset() >= target).toList();
    eventually().untilAsserted(() -> {
      assertThat(describe(group, topic).totalLag()).isZero();
      assertThat(replay.positions()).containsExactlyInAnyOrderElementsOf(replayed);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Pause and resume

  @Test
  void aPausedMemberKeepsItsPartitionsAndHandlesNothingUntilResumed() {
    String topic = createTopic("pause");
    String group = name("pause-group");
    Sender sender = new Sender(topic);
    DeliveryLog log = newLog(group, topic, 50);
    GroupMember member = subscribe(SubscribeOptions.of(topic, group), log, "m1", OK);
    List<RecordPosition> sent = new ArrayList<>(sender.sendAll(keys(20, 2)));
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(member.assignment()).hasSize(partitions());
    });
    Set<Integer> assignment = member.assignment();
    join(member.pause());
    assertThat(member.paused()).isTrue();
    int handled = log.count();
    List<RecordPosition> whilePaused = sender.sendAll(keys(20, 2));
    holdsFor(quietPeriod(), () -> {
      assertThat(log.count()).as("records handled while paused").isEqualTo(handled);
      assertThat(describe(group, topic).totalLag()).as("lag while paused").isEqualTo(whilePaused.size());
    });
    assertThat(member.assignment()).as("partitions kept while paused").isEqualTo(assignment);
    join(member.resume());
    assertThat(member.paused()).isFalse();
    sent.addAll(whilePaused);
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
  }

  @Test
  void pauseGroupPausesEveryMemberOfThatGroupOnly() {
    String topic = createTopic("pause-group");
    Sender sender = new Sender(topic);
    DeliveryLog paused = newLog(name("paused"), topic, 50);
    DeliveryLog other = newLog(name("other"), topic, 50);
    List<GroupMember> pausedMembers = List.of(
        subscribe(SubscribeOptions.of(topic, paused.group()), paused, "m1", OK),
        subscribe(SubscribeOptions.of(topic, paused.group()), paused, "m2", OK));
    GroupMember otherMember = subscribe(SubscribeOptions.of(topic, other.group()), other, "m1", OK);
    List<RecordPosition> sent = new ArrayList<>(sender.sendAll(keys(20, 2)));
    eventually().untilAsserted(() -> {
      assertThat(paused.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(other.positions()).containsExactlyInAnyOrderElementsOf(sent);
    });

    join(stream.pauseGroup(paused.group()));
    assertThat(pausedMembers).as("members of the paused group").allMatch(GroupMember::paused);
    assertThat(otherMember.paused()).as("member of another group").isFalse();
    int handled = paused.count();
    List<RecordPosition> whilePaused = sender.sendAll(keys(20, 2));
    sent.addAll(whilePaused);
    eventually().untilAsserted(() -> assertThat(other.positions()).as("records handled by the other group")
        .containsExactlyInAnyOrderElementsOf(sent));
    holdsFor(quietPeriod(), () -> {
      assertThat(paused.count()).as("records handled by the paused group").isEqualTo(handled);
      assertThat(describe(paused.group(), topic).totalLag()).isEqualTo(whilePaused.size());
    });

    join(stream.resumeGroup(paused.group()));
    assertThat(pausedMembers).noneMatch(GroupMember::paused);
    eventually().untilAsserted(() -> {
      assertThat(paused.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(paused.group(), topic).totalLag()).isZero();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Start position

  @Test
  void aNewGroupStartingAtLatestSkipsRecordsWrittenBeforeItFirstReads() {
    int n = partitions();
    int before = 4;
    String topic = createTopic("latest");
    String group = name("latest-group");
    Sender sender = new Sender(topic);
    sender.sendAll(keysOnEveryPartition(before));
    DeliveryLog log = newLog(group, topic, 50);
    subscribe(SubscribeOptions.of(topic, group).withStartFrom(StartPosition.LATEST), log, "m1", OK);
    // a partition is first read at some moment after subscribe; a probe handled on it proves that moment passed
    eventually().pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      Set<Integer> reached = log.deliveries().stream().map(Delivery::partition).collect(Collectors.toSet());
      List<String> probes = IntStream.range(0, n).filter(p -> !reached.contains(p))
          .mapToObj(p -> TestRecords.keyOn(p, n, 0)).toList();
      sender.sendAll(probes);
      assertThat(reached).as("partitions read").hasSize(n);
    });
    List<RecordPosition> later = sender.sendAll(keysOnEveryPartition(3));
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsAll(later);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    assertThat(log.records()).as("records written before the group first read").noneMatch(r -> r.offset() < before);
  }

  // ---------------------------------------------------------------------------------------------
  // Randomised membership churn

  @Test
  void membershipChurnLosesNothingAndKeepsEachKeysOrder() {
    long seed = churnSeed();
    Random random = new Random(seed);
    String topic = createTopic("churn");
    List<String> keys = IntStream.range(0, churnKeys()).mapToObj(i -> "user-" + i).toList();
    List<ChurnGroup> groups = List.of(new ChurnGroup(topic, "a"), new ChurnGroup(topic, "b"));
    for (ChurnGroup group : groups) {
      group.addMember();
      group.addMember();
    }
    List<String> changes = new ArrayList<>();
    String context = "churn seed " + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + "), changes ";
    Sender sender = new Sender(topic);
    int records = churnRecords();
    int rounds = churnMembershipChanges() + 1;
    int sent = 0;
    for (int round = 0; round < rounds; round++) {
      List<String> slice = new ArrayList<>();
      for (int upTo = (int) ((long) records * (round + 1) / rounds); sent < upTo; sent++) {
        slice.add(keys.get(random.nextInt(keys.size())));
      }
      sender.sendAll(slice);
      if (round < rounds - 1) {
        changes.add(groups.get(random.nextInt(groups.size())).change(random));
      }
    }
    Map<String, Integer> sentPerKey = sender.sentPerKey();
    for (ChurnGroup group : groups) {
      eventually().untilAsserted(() -> {
        assertThat(group.log.handledPrefixPerKey()).as(context + changes + ": records handled by " + group.log.group())
            .isEqualTo(sentPerKey);
        assertThat(describe(group.log.group(), topic).totalLag()).as(context + changes).isZero();
      });
      assertThat(group.log.orderViolations()).as(context + changes + ": order in " + group.log.group()).isEmpty();
      assertThat(group.log.violations()).as(context + changes).isEmpty();
    }
  }

  /** One consumer group of the churn test and its live members. */
  private final class ChurnGroup {
    private static final int MAX_BATCH = 20;
    private final SubscribeOptions options;
    private final DeliveryLog log;
    private final Map<String, GroupMember> live = new LinkedHashMap<>();
    private int joined;

    ChurnGroup(String topic, String label) {
      String group = name("churn-" + label);
      this.options = SubscribeOptions.of(topic, group).withMaxBatchSize(MAX_BATCH).withRetryDelayMs(10);
      this.log = newLog(group, topic, MAX_BATCH);
    }

    String addMember() {
      String label = "m" + joined++;
      // the batch stays in flight for a few milliseconds so that a crash can catch it; a few fail
      live.put(label, subscribe(options, log, label, batch -> {
        Promise<Void> done = Promise.promise();
        boolean fail = ThreadLocalRandom.current().nextInt(50) == 0;
        vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(3), id -> {
          if (fail) {
            done.fail(new IllegalStateException("tck: induced failure"));
          } else {
            done.complete();
          }
        });
        return done.future();
      }));
      return log.group() + ": " + label + " joins";
    }

    String change(Random random) {
      int kind = live.size() <= 1 ? 0 : live.size() >= 4 ? 1 + random.nextInt(2) : random.nextInt(3);
      if (kind == 0) {
        return addMember();
      }
      List<String> labels = new ArrayList<>(live.keySet());
      String label = labels.get(random.nextInt(labels.size()));
      GroupMember member = live.remove(label);
      if (kind == 1) {
        join(member.leave());
        return log.group() + ": " + label + " leaves";
      }
      log.crashing(label);
      join(member.crash());
      return log.group() + ": " + label + " crashes";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Backend discovery

  @Test
  void anUnknownBackendNameFailsAndListsTheKnownOnes() {
    assertThat(stream.backend()).isEqualTo(backendName());
    assertThat(StreamBackends.names()).contains(backendName());
    Throwable failure = failure(StreamBackends.open(vertx, "nope", new JsonObject()));
    assertThat(failure).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure.getMessage()).contains("nope").contains(backendName());
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Blocks the test thread until {@code future} completes; fails when it fails or outlasts {@link #timeout()}. */
  protected final <T> T join(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("future not completed within " + timeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The failure of {@code future}, waiting for it; fails when it succeeds. */
  protected final Throwable failure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("future not completed within " + timeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Waits, up to {@link #timeout()}, for a condition. */
  protected final ConditionFactory eventually() {
    return Awaitility.await().atMost(timeout()).pollInterval(Duration.ofMillis(20));
  }

  /** Waits until {@code assertion} holds for {@code period} without interruption. */
  protected final void holdsFor(Duration period, ThrowingRunnable assertion) {
    Awaitility.await().during(period).atMost(period.plus(Duration.ofSeconds(10)))
        .pollInterval(Duration.ofMillis(50)).untilAsserted(assertion);
  }

  /** A name unique to this run: {@code base-<run>-<n>}. */
  protected final String name(String base) {
    return base + "-" + runId + "-" + NAMES.incrementAndGet();
  }

  private String createTopic(String base) {
    String topic = name(base);
    join(stream.admin().createTopic(topic, partitions(), 1));
    return topic;
  }

  private DeliveryLog newLog(String group, String topic, int maxBatchSize) {
    DeliveryLog log = new DeliveryLog(group, topic, maxBatchSize);
    logs.add(log);
    return log;
  }

  private GroupMember subscribe(SubscribeOptions options, DeliveryLog log, String member, BatchHandler behaviour) {
    return join(stream.subscribe(options, log.handler(member, behaviour)));
  }

  /** Consumes {@code sent} in a new member of {@code group}, which then leaves; returns the committed offsets. */
  private Map<Integer, Long> consumeAllThenLeave(String topic, String group, List<RecordPosition> sent) {
    DeliveryLog log = newLog(group, topic, 50);
    GroupMember member = subscribe(SubscribeOptions.of(topic, group), log, "first", OK);
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    join(member.leave());
    eventually().untilAsserted(() -> assertThat(describe(group, topic).members()).isEmpty());
    return committedOffsets(describe(group, topic));
  }

  /**
   * {@code describeGroup}, checked against {@link GroupSnapshots#breaches}. A breach fails the test at once
   * (an unchecked exception, which Awaitility does not retry).
   */
  private GroupDescription describe(String group, String topic) {
    GroupDescription description = join(stream.admin().describeGroup(group));
    List<String> breaches = GroupSnapshots.breaches(description, group, topic, partitions());
    if (!breaches.isEmpty()) {
      throw new IllegalStateException("describeGroup(" + group + ") breaks its contract: " + breaches + " in "
          + description);
    }
    return description;
  }

  private Map<Integer, Long> zeros() {
    Map<Integer, Long> zeros = new TreeMap<>();
    IntStream.range(0, partitions()).forEach(p -> zeros.put(p, 0L));
    return zeros;
  }

  private TopicDescription topicDescription(String topic) {
    return join(stream.admin().listTopics()).stream().filter(t -> t.name().equals(topic)).findFirst()
        .orElseThrow(() -> new AssertionError("listTopics lacks " + topic));
  }

  private static Map<Integer, List<Long>> offsetsByPartition(Iterable<RecordPosition> positions) {
    Map<Integer, List<Long>> offsets = new TreeMap<>();
    positions.forEach(pos -> offsets.computeIfAbsent(pos.partition(), p -> new ArrayList<>()).add(pos.offset()));
    offsets.values().forEach(list -> list.sort(null));
    return offsets;
  }

  /** {@code perKey} records for each of {@code count} keys, interleaved. */
  private static List<String> keys(int count, int perKey) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < perKey; i++) {
      for (int k = 0; k < count; k++) {
        keys.add("key-" + k);
      }
    }
    return keys;
  }

  /** {@code perPartition} records on every partition, one key per partition. */
  private List<String> keysOnEveryPartition(int perPartition) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < perPartition; i++) {
      for (int p = 0; p < partitions(); p++) {
        keys.add(TestRecords.keyOn(p, partitions(), 0));
      }
    }
    return keys;
  }

  /** Sends {@code perKey} records per key, keys interleaved, from the calling thread or context. */
  private Future<?> sendInterleaved(String topic, List<String> keys, int perKey,
                                    Map<String, RecordPosition> positions) {
    List<Future<RecordPosition>> sends = new ArrayList<>();
    for (int seq = 0; seq < perKey; seq++) {
      for (String key : keys) {
        String id = key + ":" + seq;
        sends.add(stream.send(topic, key, Map.of(), TestRecords.value(key, seq))
            .onSuccess(position -> positions.put(id, position)));
      }
    }
    return Future.all(sends);
  }

  private void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("start signal not given");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends records of the suite's format, counting a sequence per key; one caller at a time, so each
   * key's records are sent in sequence order.
   */
  private final class Sender {
    private final String topic;
    private final Map<String, Integer> next = new HashMap<>();

    Sender(String topic) {
      this.topic = topic;
    }

    /** Sends one record per key of {@code keys}, in list order, and waits until all are appended. */
    synchronized List<RecordPosition> sendAll(List<String> keys) {
      List<Future<RecordPosition>> sends = new ArrayList<>();
      for (String key : keys) {
        int seq = next.merge(key, 1, Integer::sum) - 1;
        sends.add(stream.send(topic, key, Map.of(), TestRecords.value(key, seq)));
      }
      join(Future.all(sends));
      return sends.stream().map(Future::result).toList();
    }

    /** Records sent per key. */
    synchronized Map<String, Integer> sentPerKey() {
      return new HashMap<>(next);
    }
  }
}
