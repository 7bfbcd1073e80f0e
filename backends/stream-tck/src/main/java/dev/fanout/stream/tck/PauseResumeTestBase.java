package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.TestRecords.keys;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.SubscribeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pausing and resuming one member or every member of a group: a paused member keeps its partitions, handles
 * nothing and lets its lag grow until it is resumed, while other groups go on.
 */
public abstract class PauseResumeTestBase extends StreamTestBase {

  protected PauseResumeTestBase(BackendUnderTest backend) {
    super(backend);
  }

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
}
