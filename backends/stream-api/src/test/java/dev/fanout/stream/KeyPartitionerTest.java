package dev.fanout.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyPartitionerTest {

  // Reference values of murmur2 with Kafka's seed, as listed in Kafka's own partitioner tests
  // (UtilsTest#testMurmur2): the same inputs must give the same hashes here.
  @Test
  void murmur2MatchesKnownValues() {
    assertThat(KeyPartitioner.murmur2("21".getBytes(StandardCharsets.UTF_8))).isEqualTo(-973932308);
    assertThat(KeyPartitioner.murmur2("foobar".getBytes(StandardCharsets.UTF_8))).isEqualTo(-790332482);
    assertThat(KeyPartitioner.murmur2("a-little-bit-long-string".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-985981536);
    assertThat(KeyPartitioner.murmur2("a-little-bit-longer-string".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-1486304829);
    assertThat(KeyPartitioner.murmur2(
        "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-58897971);
    assertThat(KeyPartitioner.murmur2(new byte[] {'a', 'b', 'c'})).isEqualTo(479470107);
  }

  @Test
  void partitionIsStableAndInRange() {
    for (int i = 0; i < 1000; i++) {
      int p = KeyPartitioner.partition("author-" + i, 12);
      assertThat(p).isBetween(0, 11).isEqualTo(KeyPartitioner.partition("author-" + i, 12));
    }
  }

  @Test
  void rejectsNonPositivePartitionCount() {
    assertThatThrownBy(() -> KeyPartitioner.partition("k", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partitions");
  }

  @Test
  void theUtf8BytesOfAKeyGoWhereTheKeyGoes() {
    for (String key : new String[] {"", "a", "ab", "abc", "author-12345", "ключ", "作者-7", "k".repeat(33)}) {
      assertThat(KeyPartitioner.partition(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 12))
          .as("partition of '%s'", key).isEqualTo(KeyPartitioner.partition(key, 12));
    }
  }
}
