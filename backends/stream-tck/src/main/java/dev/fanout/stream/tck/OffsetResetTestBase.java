package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.GroupSnapshots.committedOffsets;
import static dev.fanout.stream.tck.GroupSnapshots.logEndOffsets;
import static dev.fanout.stream.tck.TestRecords.keys;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.OffsetSpec;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code resetOffsets} to the earliest or latest offset, a timestamp or an offset, of a group whose members
 * left and of a running one: a preview returns the offsets a reset would commit and changes nothing (not
 * even for a group that does not exist), a reset commits them and the group reads on from there.
 */
public abstract class OffsetResetTestBase extends StreamTestBase {

  protected OffsetResetTestBase(BackendUnderTest backend) {
    super(backend);
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
  void aPreviewForAGroupThatDoesNotExistCreatesNothing() {
    String topic = createTopic("reset-preview-unknown");
    String group = name("reset-preview-unknown-group");
    new Sender(topic).sendAll(keys(10, 2));

    assertThat(join(stream.admin().resetOffsets(group, topic, OffsetSpec.earliest(), true)))
        .as("preview of a reset of a group that does not exist").isEqualTo(zeros());
    assertThat(join(stream.admin().listGroups())).as("groups after the preview").doesNotContain(group);
    assertThat(failure(stream.admin().describeGroup(group))).as("describing the group after the preview")
        .isInstanceOf(IllegalArgumentException.class);
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

  private Map<Integer, Long> zeros() {
    Map<Integer, Long> zeros = new TreeMap<>();
    IntStream.range(0, partitions()).forEach(p -> zeros.put(p, 0L));
    return zeros;
  }
}
