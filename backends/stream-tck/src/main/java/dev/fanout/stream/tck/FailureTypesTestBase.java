package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.OffsetSpec;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What each failure is, as the SPI states it: a bad argument or an unknown name fails with an
 * {@link IllegalArgumentException} (a group that reads one topic, running or with committed offsets, asked to
 * read another included), a state change the stream refuses with an {@link IllegalStateException}, each
 * naming what was wrong; and a call never throws, it fails its future.
 */
public abstract class FailureTypesTestBase extends StreamTestBase {

  protected FailureTypesTestBase(BackendUnderTest backend) {
    super(backend);
  }

  @Test
  void badArgumentsAndUnknownNamesFailWithIllegalArgumentException() {
    String topic = createTopic("failures");
    String missing = name("missing-topic");
    String missingGroup = name("missing-group");
    byte[] value = TestRecords.value("k", 0);
    SubscribeOptions options = SubscribeOptions.of(topic, name("failures-group"));

    fails(IllegalArgumentException.class, "send to a topic that does not exist",
        () -> stream.send(missing, "k", Map.of(), value), missing);
    fails(IllegalArgumentException.class, "send without a topic", () -> stream.send(null, "k", Map.of(), value),
        "topic");
    fails(IllegalArgumentException.class, "send without a value", () -> stream.send(topic, "k", Map.of(), null),
        "value");
    fails(IllegalArgumentException.class, "subscribe to a topic that does not exist",
        () -> stream.subscribe(SubscribeOptions.of(missing, options.group()), OK), missing);
    fails(IllegalArgumentException.class, "subscribe without options", () -> stream.subscribe(null, OK), "options");
    fails(IllegalArgumentException.class, "subscribe without a handler", () -> stream.subscribe(options, null),
        "handler");
    fails(IllegalArgumentException.class, "describe a group that does not exist",
        () -> stream.admin().describeGroup(missingGroup), missingGroup);
    fails(IllegalArgumentException.class, "describe without a group", () -> stream.admin().describeGroup(null),
        "group");
    fails(IllegalArgumentException.class, "reset on a topic that does not exist",
        () -> stream.admin().resetOffsets(missingGroup, missing, OffsetSpec.earliest(), false), missing);
    fails(IllegalArgumentException.class, "reset without a target",
        () -> stream.admin().resetOffsets(missingGroup, topic, null, true), "spec");
    fails(IllegalArgumentException.class, "create a topic without partitions",
        () -> stream.admin().createTopic(name("no-partitions"), 0, 1), "partitions");
    fails(IllegalArgumentException.class, "create a topic with a blank name",
        () -> stream.admin().createTopic(" ", 1, 1), "topic");
  }

  @Test
  void aGroupReadsExactlyOneTopic() {
    String first = createTopic("one-topic");
    String second = createTopic("another-topic");
    String group = name("one-topic-group");
    DeliveryLog log = newLog(group, first, 50);
    GroupMember member = subscribe(SubscribeOptions.of(first, group), log, "m1", OK);
    new Sender(first).sendAll(keysOnEveryPartition(1));
    eventually().untilAsserted(() -> {
      assertThat(log.count()).isEqualTo(partitions());
      assertThat(describe(group, first).totalLag()).isZero();
    });

    fails(IllegalArgumentException.class, "subscribe a group reading " + first + " to " + second,
        () -> stream.subscribe(SubscribeOptions.of(second, group), OK), first);
    fails(IllegalArgumentException.class, "reset a group reading " + first + " on " + second,
        () -> stream.admin().resetOffsets(group, second, OffsetSpec.earliest(), true), first);
    join(member.leave());
    fails(IllegalArgumentException.class, "subscribe a group with offsets of " + first + " to " + second,
        () -> stream.subscribe(SubscribeOptions.of(second, group), OK), first);
    assertThat(join(stream.admin().describeGroup(group)).topic()).as("topic of the group").isEqualTo(first);
  }

  @Test
  void refusedStateChangesFailWithIllegalStateException() {
    String topic = createTopic("refused");
    fails(IllegalStateException.class, "create " + topic + " again with another partition count",
        () -> stream.admin().createTopic(topic, partitions() + 1, 1), topic);

    EventStream closed = join(openStream(vertx));
    join(closed.close());
    fails(IllegalStateException.class, "send on a closed stream",
        () -> closed.send(topic, "k", Map.of(), TestRecords.value("k", 0)), "closed");
    fails(IllegalStateException.class, "subscribe on a closed stream",
        () -> closed.subscribe(SubscribeOptions.of(topic, name("closed-group")), OK), "closed");
  }

  /** Calls {@code call}, which must not throw, and checks that its future fails with exactly {@code type}. */
  private void fails(Class<? extends Throwable> type, String what, Supplier<Future<?>> call, String named) {
    Future<?> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      throw new AssertionError(what + " threw instead of failing its future: " + e, e);
    }
    assertThat(failure(future)).as("failure of: %s", what).isExactlyInstanceOf(type).hasMessageContaining(named);
  }
}
