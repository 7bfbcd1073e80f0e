package dev.fanout.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.kafka.PartitionFeed.Offer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionFeedTest {

  private static StreamRecord at(long offset) {
    return new StreamRecord("t", 0, offset, 0, "k", Map.of(), new byte[0]);
  }

  private static List<Long> offsets(List<StreamRecord> batch) {
    return batch.stream().map(StreamRecord::offset).toList();
  }

  @Test
  void handsOutBatchesInOrderOneAtATime() {
    PartitionFeed feed = new PartitionFeed(0, 3, 6);
    for (long o = 10; o < 17; o++) {
      assertThat(feed.offer(at(o))).isEqualTo(Offer.ACCEPTED);
    }
    assertThat(offsets(feed.take())).containsExactly(10L, 11L, 12L);
    assertThat(feed.ready()).as("ready while a batch is in flight").isFalse();
    assertThatThrownBy(feed::take).isInstanceOf(IllegalStateException.class);
    feed.succeeded();
    assertThat(offsets(feed.take())).containsExactly(13L, 14L, 15L);
    feed.succeeded();
    assertThat(offsets(feed.take())).containsExactly(16L);
  }

  @Test
  void followsTheConsumerWhenItsPositionMovesByItself() {
    PartitionFeed feed = new PartitionFeed(0, 10, 10);
    feed.positionKnown(5);
    assertThat(feed.offer(at(5))).isEqualTo(Offer.ACCEPTED);
    assertThat(feed.offer(at(6))).isEqualTo(Offer.ACCEPTED);
    // Kafka reset an offset that left the log: the next records start further on
    assertThat(feed.offer(at(9))).as("a jump forward").isEqualTo(Offer.MOVED);
    assertThat(feed.buffered()).as("records buffered before the jump are dropped").isEqualTo(1);
    assertThat(feed.offer(at(10))).isEqualTo(Offer.ACCEPTED);
    assertThat(offsets(feed.take())).containsExactly(9L, 10L);
    feed.succeeded();
    assertThat(feed.offer(at(3))).as("a jump back").isEqualTo(Offer.MOVED);
    assertThat(offsets(feed.take())).containsExactly(3L);
  }

  @Test
  void refusesRecordsFetchedBeforeAPendingSeek() {
    PartitionFeed feed = new PartitionFeed(0, 10, 10);
    feed.offer(at(0));
    feed.offer(at(1));
    feed.hold();
    feed.restartAt(20);
    assertThat(feed.offer(at(2))).as("a record fetched before the seek to 20").isEqualTo(Offer.REFUSED);
    assertThat(feed.offer(at(20))).isEqualTo(Offer.ACCEPTED);
    assertThat(feed.offer(at(3))).as("another record fetched before the seek").isEqualTo(Offer.REFUSED);
    feed.seekDone();
    assertThat(feed.offer(at(21))).isEqualTo(Offer.ACCEPTED);
    assertThat(offsets(feed.take())).containsExactly(20L, 21L);
  }

  @Test
  void aFailedBatchBlocksUntilItsRetryThenRestartsAtItsFirstOffset() {
    PartitionFeed feed = new PartitionFeed(0, 2, 4);
    for (long o = 0; o < 4; o++) {
      feed.offer(at(o));
    }
    feed.take();
    feed.succeeded();
    List<StreamRecord> failing = feed.take();
    long token = feed.failed(failing.get(0).offset());
    assertThat(feed.expected()).isEqualTo(2);
    assertThat(feed.blocked()).isTrue();
    assertThat(feed.wantsPause()).as("fetching pauses while blocked").isTrue();
    assertThat(feed.offer(at(4))).as("records arriving before the retry").isEqualTo(Offer.REFUSED);
    assertThat(feed.awaitsRetry(token + 1)).as("a stale retry due").isFalse();
    assertThat(feed.awaitsRetry(token)).isTrue();
    assertThat(feed.retry(token + 1)).as("a stale retry").isFalse();
    assertThat(feed.retry(token)).isTrue();
    assertThat(feed.offer(at(2))).as("the first record after the retry's seek").isEqualTo(Offer.ACCEPTED);
    assertThat(offsets(feed.take())).containsExactly(2L);
  }

  @Test
  void aResetWaitsForTheBatchInFlightAndCancelsAPendingRetry() {
    PartitionFeed feed = new PartitionFeed(0, 2, 4);
    feed.offer(at(0));
    feed.offer(at(1));
    feed.offer(at(2));
    feed.take();
    feed.hold();
    feed.succeeded();
    assertThat(feed.ready()).as("ready while held").isFalse();
    feed.restartAt(0);
    assertThat(feed.buffered()).isZero();
    assertThat(feed.offer(at(0))).isEqualTo(Offer.ACCEPTED);
    assertThat(offsets(feed.take())).containsExactly(0L);
    long token = feed.failed(0);
    feed.hold();
    feed.restartAt(0);
    assertThat(feed.awaitsRetry(token)).as("the retry of a batch before the reset, due").isFalse();
    assertThat(feed.retry(token)).as("the retry of a batch before the reset").isFalse();
    assertThat(feed.blocked()).isFalse();
  }

  @Test
  void asksForAPauseWhenTheBufferIsFull() {
    PartitionFeed feed = new PartitionFeed(0, 2, 3);
    feed.offer(at(0));
    feed.offer(at(1));
    assertThat(feed.wantsPause()).isFalse();
    feed.offer(at(2));
    assertThat(feed.wantsPause()).isTrue();
    feed.take();
    assertThat(feed.wantsPause()).isFalse();
  }
  @Test
  void withSeveralInFlightAMoveBackStartsAfreshOnceTheBatchesInFlightEnded() {
    PartitionFeed feed = new PartitionFeed(0, 1, 10, 2);
    feed.positionKnown(5);
    feed.offer(at(5));
    feed.offer(at(6));
    feed.offer(at(7));
    assertThat(offsets(feed.take())).containsExactly(5L);
    assertThat(offsets(feed.take())).containsExactly(6L);
    assertThat(feed.ready()).as("two in flight").isFalse();
    assertThat(feed.succeeded(6)).as("offset 5 still in flight").isFalse();
    assertThat(feed.committable()).isEqualTo(5);
    assertThat(offsets(feed.take())).containsExactly(7L);

    assertThat(feed.offer(at(3))).as("a jump back").isEqualTo(Offer.MOVED);
    assertThat(feed.ready()).as("waits for the batches in flight").isFalse();
    assertThat(feed.succeeded(5)).isTrue();
    assertThat(feed.committable()).isEqualTo(7);
    feed.succeeded(7);
    assertThat(offsets(feed.take())).containsExactly(3L);
    assertThat(feed.committable()).isEqualTo(3);
  }
}
