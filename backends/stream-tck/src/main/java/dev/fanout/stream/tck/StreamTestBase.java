package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What every part of the stream SPI's contract ({@code dev.fanout.stream}) shares. The contract is one
 * abstract {@code *TestBase} per topic, each run unchanged against every backend.
 *
 * <p>A backend has one concrete subclass per base that implements {@link #openStream} and
 * {@link #backendName}, and starts its servers (a broker) once per class or once for all its classes,
 * never per test. This class owns one {@link Vertx} per class and opens a fresh stream before each test;
 * every test uses topics and groups of its own, so one broker serves every class.
 *
 * <p>The tests block only the test thread (and Awaitility's polling thread) on futures; handlers never
 * block and complete their futures on their own context. Waiting is always on a condition, bounded by
 * {@link #timeout()}; "nothing happens" is checked as a condition that holds for {@link #quietPeriod()}.
 * After each test, every {@link DeliveryLog} the test made must be free of {@link BatchHandler} breaches.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StreamTestBase {

  private static final AtomicInteger NAMES = new AtomicInteger();

  /** A batch handler that succeeds at once. */
  static final BatchHandler OK = batch -> Future.succeededFuture();

  // per class: topics and groups of one run never collide with another run's on a persistent broker
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  // every log made in the current test, checked for contract breaches after it
  private final List<DeliveryLog> logs = new CopyOnWriteArrayList<>();

  protected Vertx vertx;
  protected EventStream stream;

  private final BackendUnderTest backend;

  /** @param backend the backend every test of the class runs against */
  protected StreamTestBase(BackendUnderTest backend) {
    this.backend = backend;
  }

  /** Opens a fresh client of the backend under test; see {@link BackendUnderTest#openStream}. */
  protected Future<EventStream> openStream(Vertx vertx) {
    return backend.openStream(vertx);
  }

  /** The name the backend under test registers with {@link StreamBackends}. */
  protected String backendName() {
    return backend.name();
  }

  /** Partitions of every topic the contract creates; at least 2, since null keys must spread over several. */
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

  final String createTopic(String base) {
    String topic = name(base);
    join(stream.admin().createTopic(topic, partitions(), 1));
    return topic;
  }

  /** A log of {@code group}, checked for contract breaches after the test. */
  final DeliveryLog newLog(String group, String topic, int maxBatchSize) {
    return newLog(group, topic, maxBatchSize, 1);
  }

  /** A log of {@code group} whose members hand out up to {@code maxBatchesInFlight} batches of a partition. */
  final DeliveryLog newLog(String group, String topic, int maxBatchSize, int maxBatchesInFlight) {
    DeliveryLog log = new DeliveryLog(group, topic, maxBatchSize, maxBatchesInFlight);
    logs.add(log);
    return log;
  }

  final GroupMember subscribe(SubscribeOptions options, DeliveryLog log, String member, BatchHandler behaviour) {
    return join(stream.subscribe(options, log.handler(member, behaviour)));
  }

  /**
   * {@code describeGroup}, checked against {@link GroupSnapshots#breaches}. A breach fails the test at once
   * (an unchecked exception, which Awaitility does not retry).
   */
  final GroupDescription describe(String group, String topic) {
    GroupDescription description = join(stream.admin().describeGroup(group));
    List<String> breaches = GroupSnapshots.breaches(description, group, topic, partitions());
    if (!breaches.isEmpty()) {
      throw new IllegalStateException("describeGroup(" + group + ") breaks its contract: " + breaches + " in "
          + description);
    }
    return description;
  }

  /** Consumes {@code sent} in a new member of {@code group}, which then leaves; returns the committed offsets. */
  final Map<Integer, Long> consumeAllThenLeave(String topic, String group, List<RecordPosition> sent) {
    DeliveryLog log = newLog(group, topic, 50);
    GroupMember member = subscribe(SubscribeOptions.of(topic, group), log, "first", OK);
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    join(member.leave());
    eventually().untilAsserted(() -> assertThat(describe(group, topic).members()).isEmpty());
    return GroupSnapshots.committedOffsets(describe(group, topic));
  }

  final TopicDescription topicDescription(String topic) {
    return join(stream.admin().listTopics()).stream().filter(t -> t.name().equals(topic)).findFirst()
        .orElseThrow(() -> new AssertionError("listTopics lacks " + topic));
  }

  /** {@code perPartition} records on every partition, one key per partition. */
  final List<String> keysOnEveryPartition(int perPartition) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < perPartition; i++) {
      for (int p = 0; p < partitions(); p++) {
        keys.add(TestRecords.keyOn(p, partitions(), 0));
      }
    }
    return keys;
  }

  /**
   * Sends records of the contract's format, counting a sequence per key; one caller at a time, so each
   * key's records are sent in sequence order.
   */
  final class Sender {
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
