package dev.fanout.stream.tck;

import static dev.fanout.stream.tck.GroupSnapshots.committedOffsets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.OffsetSpec;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A reset of a running group while a batch is in flight: the batch's completion must not commit over the
 * reset. The reset may complete at once (fencing the batch) or wait for the batch to end (then move the
 * partition); either way the committed offsets afterwards are the reset's and the records are delivered
 * again from there.
 */
public abstract class ResetInFlightTestBase extends StreamTestBase {

  protected ResetInFlightTestBase(BackendUnderTest backend) {
    super(backend);
  }

  @Test
  void aBatchInFlightDuringAResetDoesNotCommitOverIt() {
    String topic = createTopic("reset-in-flight");
    String group = name("reset-in-flight-group");
    List<RecordPosition> sent = new Sender(topic).sendAll(keysOnEveryPartition(6));
    AtomicBoolean holdEverything = new AtomicBoolean();
    AtomicBoolean holding = new AtomicBoolean(true);
    // first the second batch of each partition (offsets 3..5) is held, after the first one committed 3
    HeldBatches holder = new HeldBatches(batch -> holding.get()
        && (holdEverything.get() || batch.get(0).offset() >= 3));
    DeliveryLog log = newLog(group, topic, 3);
    subscribe(SubscribeOptions.of(topic, group).withMaxBatchSize(3), log, "m1", holder.behaviour());
    Map<Integer, Long> threes = offsetsOnEveryPartition(3);
    eventually().untilAsserted(() -> {
      assertThat(holder.firstHeldOffsets()).as("first offsets of the batches in flight").isEqualTo(threes);
      assertThat(committedOffsets(describe(group, topic))).as("committed offsets").isEqualTo(threes);
    });

    Future<Map<Integer, Long>> reset = stream.admin().resetOffsets(group, topic, OffsetSpec.earliest(), false);
    awaitSettling(reset);
    // from now on every batch is held, the redelivered ones too: the committed offsets stay the reset's
    holdEverything.set(true);
    holder.releaseAll();
    Map<Integer, Long> zeros = offsetsOnEveryPartition(0);
    assertThat(join(reset)).as("reset to earliest with batches in flight").isEqualTo(zeros);
    eventually().untilAsserted(() -> assertThat(holder.firstHeldOffsets())
        .as("first offsets of the batches delivered again after the reset").isEqualTo(zeros));
    holdsFor(quietPeriod(), () -> assertThat(committedOffsets(describe(group, topic)))
        .as("committed offsets after the reset, with the batches in flight at the reset ended").isEqualTo(zeros));

    holding.set(false);
    holder.releaseAll();
    eventually().untilAsserted(() -> {
      assertThat(log.positions()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    sent.stream().filter(position -> position.offset() < 3).forEach(position -> assertThat(log.timesHandled(position))
        .as("times %s was handled, before and after the reset", position).isGreaterThanOrEqualTo(2));
  }

  /**
   * Gives the reset time to reach the members: it either completes (a backend that fences the batches in
   * flight) or, within {@link #quietPeriod()}, gets to wait for them (a backend that lets them end first).
   */
  private void awaitSettling(Future<?> reset) {
    try {
      Awaitility.await().atMost(quietPeriod()).until(reset::isComplete);
    } catch (ConditionTimeoutException waitingForTheBatches) {
      // expected of a backend that lets batches in flight end before it moves their partitions
    }
  }

  private Map<Integer, Long> offsetsOnEveryPartition(long offset) {
    Map<Integer, Long> offsets = new TreeMap<>();
    IntStream.range(0, partitions()).forEach(p -> offsets.put(p, offset));
    return offsets;
  }
}
