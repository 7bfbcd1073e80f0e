package dev.fanout.stream.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionLogTest {

  private static byte[] bytes(int n) {
    return new byte[n];
  }

  @Test
  void appendsGetConsecutiveOffsetsAndReadBackInOrder() {
    PartitionLog log = new PartitionLog("t", 3, 10_000, 1 << 30);
    for (int i = 0; i < 5000; i++) {
      assertThat(log.append("k", Map.of(), new byte[] {(byte) i})).isEqualTo(i);
    }
    List<StreamRecord> batch = log.read(1000, 300);
    assertThat(batch).hasSize(300);
    for (int i = 0; i < batch.size(); i++) {
      StreamRecord record = batch.get(i);
      assertThat(record.offset()).isEqualTo(1000 + i);
      assertThat(record.partition()).isEqualTo(3);
      assertThat(record.topic()).isEqualTo("t");
      assertThat(record.value()[0]).isEqualTo((byte) (1000 + i));
    }
    assertThat(log.read(4990, 500)).hasSize(10);
    assertThat(log.read(5000, 500)).isEmpty();
  }

  @Test
  void retentionByRecordCountDropsTheOldest() {
    PartitionLog log = new PartitionLog("t", 0, 100, 1 << 30);
    for (int i = 0; i < 250; i++) {
      log.append(null, Map.of(), bytes(1));
    }
    assertThat(log.startOffset()).isEqualTo(150);
    assertThat(log.endOffset()).isEqualTo(250);
    assertThat(log.read(150, 1000)).hasSize(100).first().extracting(StreamRecord::offset).isEqualTo(150L);
    assertThatThrownBy(() -> log.read(149, 10)).isInstanceOf(PartitionLog.OffsetOutOfRangeException.class);
    assertThatThrownBy(() -> log.read(251, 10)).isInstanceOf(PartitionLog.OffsetOutOfRangeException.class);
  }

  @Test
  void readOrFallBackReadsFromTheStartOrTheEndWhenTheOffsetLeftTheLog() {
    PartitionLog log = new PartitionLog("t", 0, 4, 1 << 30);
    for (int i = 0; i < 10; i++) {
      log.append(null, Map.of(), bytes(1));
    }
    PartitionLog.Read inRange = log.readOrFallBack(7, 2, StartPosition.EARLIEST);
    assertThat(inRange.fellBack()).isFalse();
    assertThat(inRange.records()).extracting(StreamRecord::offset).containsExactly(7L, 8L);

    PartitionLog.Read dropped = log.readOrFallBack(3, 10, StartPosition.EARLIEST);
    assertThat(dropped.fellBack()).isTrue();
    assertThat(dropped.from()).isEqualTo(6);
    assertThat(dropped.records()).extracting(StreamRecord::offset).containsExactly(6L, 7L, 8L, 9L);

    PartitionLog.Read none = log.readOrFallBack(-1, 10, StartPosition.LATEST);
    assertThat(none.fellBack()).isTrue();
    assertThat(none.from()).isEqualTo(10);
    assertThat(none.records()).isEmpty();

    PartitionLog.Read beyond = log.readOrFallBack(11, 10, StartPosition.EARLIEST);
    assertThat(beyond.fellBack()).isTrue();
    assertThat(beyond.from()).isEqualTo(6);
  }

  @Test
  void retentionByBytesKeepsWithinTheLimitButAlwaysTheNewestRecord() {
    long perRecord = PartitionLog.RECORD_OVERHEAD_BYTES + 100;
    PartitionLog log = new PartitionLog("t", 0, 1_000_000, perRecord * 10);
    for (int i = 0; i < 35; i++) {
      log.append(null, Map.of(), bytes(100));
    }
    assertThat(log.endOffset() - log.startOffset()).isEqualTo(10);

    log.append(null, Map.of(), bytes(10_000));
    assertThat(log.startOffset()).isEqualTo(35);
    assertThat(log.endOffset()).isEqualTo(36);
  }

  @Test
  void offsetForTimestampFindsTheFirstRecordAtOrAfter() {
    PartitionLog log = new PartitionLog("t", 0, 1000, 1 << 30);
    log.append(null, Map.of(), bytes(1), 100);
    log.append(null, Map.of(), bytes(1), 200);
    log.append(null, Map.of(), bytes(1), 200);
    log.append(null, Map.of(), bytes(1), 300);
    assertThat(log.offsetForTimestamp(0)).isEqualTo(0);
    assertThat(log.offsetForTimestamp(150)).isEqualTo(1);
    assertThat(log.offsetForTimestamp(200)).isEqualTo(1);
    assertThat(log.offsetForTimestamp(301)).isEqualTo(4);
  }

  @Test
  void timestampsNeverGoBackwards() {
    PartitionLog log = new PartitionLog("t", 0, 1000, 1 << 30);
    log.append(null, Map.of(), bytes(1), 500);
    log.append(null, Map.of(), bytes(1), 400);
    assertThat(log.read(0, 2)).extracting(StreamRecord::timestamp).containsExactly(500L, 500L);
  }

  @Test
  void ringGrowsAcrossWrapAroundWithoutLosingRecords() {
    PartitionLog log = new PartitionLog("t", 0, 3000, 1 << 30);
    for (int i = 0; i < 10_000; i++) {
      log.append(null, Map.of(), new byte[] {(byte) i});
    }
    List<StreamRecord> all = log.read(log.startOffset(), 10_000);
    assertThat(all).hasSize(3000);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).offset()).isEqualTo(7000 + i);
      assertThat(all.get(i).value()[0]).isEqualTo((byte) (7000 + i));
    }
  }
}
