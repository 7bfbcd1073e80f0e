package dev.fanout.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.stream.StreamRecord;
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
      assertThat(feed.offer(at(o))).isTrue();
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
  void refusesRecordsThatDoNotContinueTheSequence() {
    PartitionFeed feed = new PartitionFeed(0, 10, 10);
    feed.positionKnown(5);
    assertThat(feed.offer(at(7))).as("a gap").isFalse();
    assertThat(feed.offer(at(5))).isTrue();
    assertThat(feed.offer(at(5))).as("a repeat").isFalse();
    assertThat(feed.offer(at(6))).isTrue();
    assertThat(feed.buffered()).isEqualTo(2);
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
    assertThat(feed.offer(at(2))).as("records arriving before the retry").isFalse();
    assertThat(feed.retry(token + 1)).as("a stale retry").isFalse();
    assertThat(feed.retry(token)).isTrue();
    assertThat(feed.offer(at(4))).as("records fetched before the seek").isFalse();
    assertThat(feed.offer(at(2))).isTrue();
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
    assertThat(feed.offer(at(0))).isTrue();
    assertThat(offsets(feed.take())).containsExactly(0L);
    long token = feed.failed(0);
    feed.hold();
    feed.restartAt(0);
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
}
