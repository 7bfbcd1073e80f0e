package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.GroupSnapshots.committedOffsets;
import static dev.fanout.stream.tck.GroupSnapshots.ownedPartitions;
import static dev.fanout.stream.tck.GroupSnapshots.partitionsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.OffsetSpec;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.SubscribeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One group with members in two streams, as two processes would have: the group's partitions are spread
 * over the members of both, and a reset from one stream while a member of the other is active is refused
 * before anything changes (a stream can pause and move only the members it created).
 *
 * <p>A backend's {@link #openStream} must return streams that share topics and groups when called twice
 * (Kafka: clients of one broker; memory: streams naming one instance).
 */
public abstract class GroupAcrossStreamsTestBase extends StreamTestBase {

  protected GroupAcrossStreamsTestBase(BackendUnderTest backend) {
    super(backend);
  }

  /** A second client of the same backend, as another process would open it; closed after each test. */
  protected EventStream otherStream;

  @BeforeEach
  final void openOtherStream() {
    otherStream = join(openStream(vertx));
  }

  @AfterEach
  final void closeOtherStream() {
    if (otherStream != null) {
      join(otherStream.close());
      otherStream = null;
    }
  }

  @Test
  void aGroupSpreadsItsPartitionsOverTheMembersOfBothStreams() {
    Spread spread = spreadOverBothStreams("across");
    String topic = spread.topic();
    String group = spread.group();
    DeliveryLog log = spread.log();

    List<RecordPosition> sent = new Sender(topic).sendAll(keysOnEveryPartition(5));
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    assertThat(log.deliveriesTo("here")).as("batches handled in this stream").isNotEmpty();
    assertThat(log.deliveriesTo("there")).as("batches handled in the other stream").isNotEmpty();
    sent.forEach(position -> assertThat(log.timesHandled(position)).as("times %s was handled", position).isOne());
  }

  @Test
  void aResetWhileAMemberOfTheOtherStreamIsActiveIsRefusedBeforeAnythingChanges() {
    Spread spread = spreadOverBothStreams("across-reset");
    String topic = spread.topic();
    String group = spread.group();
    DeliveryLog log = spread.log();
    Sender sender = new Sender(topic);
    List<RecordPosition> sent = new ArrayList<>(sender.sendAll(keysOnEveryPartition(5)));
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    Map<Integer, Long> committed = committedOffsets(describe(group, topic));
    Map<Integer, Long> zeros = new TreeMap<>();
    IntStream.range(0, partitions()).forEach(p -> zeros.put(p, 0L));

    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.earliest(), true)))
        .as("a preview, which changes nothing, is answered").isEqualTo(zeros);
    Throwable refusal = failure(stream.admin().resetOffsets(group, topic, OffsetSpec.earliest(), false));
    assertThat(refusal).as("a reset while %s is active in another stream", spread.there().memberId())
        .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining(group)
        .hasMessageContaining(spread.there().memberId());
    int deliveries = log.deliveries().size();
    holdsFor(quietPeriod(), () -> {
      assertThat(committedOffsets(describe(group, topic))).as("committed offsets after the refused reset")
          .isEqualTo(committed);
      assertThat(log.deliveries()).as("batches handed out after the refused reset").hasSize(deliveries);
    });
    assertThat(spread.here().paused()).as("this stream's member paused after the refused reset").isFalse();

    sent.addAll(sender.sendAll(keysOnEveryPartition(2)));
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    sent.forEach(position -> assertThat(log.timesHandled(position)).as("times %s was handled", position).isOne());
  }

  /** A group with member "here" in this stream and "there" in the other, both logging to {@code log}. */
  private record Spread(String topic, String group, DeliveryLog log, GroupMember here, GroupMember there) {
  }

  // Subscribes one member in each stream and waits until both own partitions, together all of them, as
  // both streams describe the group.
  private Spread spreadOverBothStreams(String base) {
    String topic = createTopic(base);
    String group = name(base + "-group");
    DeliveryLog log = newLog(group, topic, 20);
    SubscribeOptions options = SubscribeOptions.of(topic, group).withMaxBatchSize(20);
    GroupMember here = subscribe(options, log, "here", OK);
    GroupMember there = join(otherStream.subscribe(options, log.handler("there", OK)));
    eventually().untilAsserted(() -> {
      GroupDescription description = describe(group, topic);
      assertThat(description.members()).extracting(GroupDescription.Member::memberId).as("members")
          .containsExactlyInAnyOrder(here.memberId(), there.memberId());
      assertThat(description.members()).as("idle members").noneMatch(GroupDescription.Member::idle);
      assertThat(ownedPartitions(description)).as("owned partitions").hasSize(partitions());
      assertThat(here.assignment()).isEqualTo(partitionsOf(description, here.memberId()));
      assertThat(there.assignment()).isEqualTo(partitionsOf(description, there.memberId()));
      assertThat(join(otherStream.admin().describeGroup(group)).members()).as("members seen by the other stream")
          .isEqualTo(description.members());
    });
    return new Spread(topic, group, log, here, there);
  }
}
