package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.GroupSnapshots.assertBalanced;
import static dev.fanout.stream.tck.GroupSnapshots.committedOffsets;
import static dev.fanout.stream.tck.GroupSnapshots.logEndOffsets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.GroupState;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.TopicDescription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The admin's contract on topics and groups: {@code createTopic} is idempotent and sending to a topic that
 * does not exist fails; {@code listTopics}, {@code listGroups} and {@code describeGroup} report partitions,
 * members, offsets and lag as they are, while a group runs, is paused and after its members left.
 */
public abstract class AdminTestBase extends StreamTestBase {

  protected AdminTestBase(BackendUnderTest backend) {
    super(backend);
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
}
