package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.GroupSnapshots.assertBalanced;
import static dev.fanout.stream.tck.GroupSnapshots.committedOffsets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.tck.DeliveryLog.Delivery;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The contract of one consumer group: handlers run on the context that subscribed, a failed batch is
 * redelivered from the committed offset after the retry delay, members beyond the partition count stay
 * idle until an active one leaves, and a new group can start at the latest offset.
 */
public abstract class ConsumerGroupTestBase extends StreamTestBase {

  protected ConsumerGroupTestBase(BackendUnderTest backend) {
    super(backend);
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
}
