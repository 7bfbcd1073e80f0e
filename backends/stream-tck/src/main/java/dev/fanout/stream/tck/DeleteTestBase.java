package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.TopicDescription;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admin's contract on deleting: {@code deleteTopic} removes a topic with its records and is refused while
 * a group with live members reads it; {@code deleteGroup} removes a group's offsets and name and is refused
 * while the group has live members; both fail for unknown names.
 */
public abstract class DeleteTestBase extends StreamTestBase {

  protected DeleteTestBase(BackendUnderTest backend) {
    super(backend);
  }

  @Test
  void deleteTopicRemovesItsRecordsAndIsRefusedWhileAGroupReadsIt() {
    String topic = createTopic("delete-topic");
    String group = name("delete-topic-group");
    List<RecordPosition> sent = new Sender(topic).sendAll(keysOnEveryPartition(2));
    DeliveryLog log = newLog(group, topic, 50);
    GroupMember member = subscribe(SubscribeOptions.of(topic, group), log, "reader", OK);
    eventually().untilAsserted(() -> assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent));

    assertThat(failure(stream.admin().deleteTopic(topic))).as("deleting a topic a live member reads")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(group);
    assertThat(join(stream.admin().listTopics())).extracting(TopicDescription::name).as("topics after the refusal")
        .contains(topic);

    join(member.leave());
    eventually().untilAsserted(() -> assertThat(describe(group, topic).members()).isEmpty());
    join(stream.admin().deleteTopic(topic));
    assertThat(join(stream.admin().listTopics())).extracting(TopicDescription::name).as("topics after the delete")
        .doesNotContain(topic);
    assertThat(failure(stream.send(topic, "k", Map.of(), TestRecords.value("k", 0))))
        .as("sending to a deleted topic").isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(stream.admin().deleteTopic(topic))).as("deleting it again")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(topic);
  }

  @Test
  void deleteGroupForgetsItsOffsetsAndIsRefusedWhileItHasMembers() {
    String topic = createTopic("delete-group");
    String group = name("delete-group-group");
    Sender sender = new Sender(topic);
    List<RecordPosition> first = sender.sendAll(keysOnEveryPartition(2));
    DeliveryLog log = newLog(group, topic, 50);
    GroupMember member = subscribe(SubscribeOptions.of(topic, group), log, "first", OK);
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(first);
      assertThat(describe(group, topic).totalLag()).isZero();
    });

    assertThat(failure(stream.admin().deleteGroup(group))).as("deleting a group with a live member")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(group);
    assertThat(join(stream.admin().listGroups())).as("groups after the refusal").contains(group);

    join(member.leave());
    eventually().untilAsserted(() -> assertThat(describe(group, topic).members()).isEmpty());
    // a member that just left may still count under a remote coordinator: the contract lets the caller retry
    eventually().untilAsserted(() -> join(stream.admin().deleteGroup(group)));
    assertThat(join(stream.admin().listGroups())).as("groups after the delete").doesNotContain(group);
    assertThat(failure(stream.admin().describeGroup(group))).as("describing a deleted group")
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(stream.admin().deleteGroup(group))).as("deleting it again")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(group);

    // the offsets went with the group: a new member of that name starts from its start position again
    DeliveryLog again = newLog(group, topic, 50);
    GroupMember second = subscribe(SubscribeOptions.of(topic, group).withStartFrom(StartPosition.EARLIEST), again,
        "second", OK);
    eventually().untilAsserted(() -> assertThat(again.positions()).containsExactlyInAnyOrderElementsOf(first));
    join(second.leave());
  }

  @Test
  void deletingWithoutANameFails() {
    assertThat(failure(stream.admin().deleteTopic(null))).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(stream.admin().deleteTopic(" "))).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(stream.admin().deleteGroup(null))).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(stream.admin().deleteGroup(name("no-such-group")))).isInstanceOf(IllegalArgumentException.class);
  }
}
