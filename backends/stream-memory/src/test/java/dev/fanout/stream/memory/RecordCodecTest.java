package dev.fanout.stream.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.StreamRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

  @Test
  void aRecordReadsBackAsItWasWrittenAmongOthers() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("traceparent", "00-abc-01");
    headers.put("é-name", "välue ✓");
    headers.put("empty", "");
    byte[] chunk = new byte[1024];
    RecordCodec.Encoded first = RecordCodec.encode("author-7", headers, new byte[] {1, 2, 3});
    RecordCodec.Encoded second = RecordCodec.encode(null, Map.of(), new byte[0]);
    RecordCodec.Encoded third = RecordCodec.encode("ключ", Map.of(), new byte[] {9});
    first.writeTo(chunk, 10);
    second.writeTo(chunk, 10 + first.length());
    third.writeTo(chunk, 10 + first.length() + second.length());

    StreamRecord one = RecordCodec.decode(chunk, 10, first.length(), "t", 2, 40, 1234);
    assertThat(one.topic()).isEqualTo("t");
    assertThat(one.partition()).isEqualTo(2);
    assertThat(one.offset()).isEqualTo(40);
    assertThat(one.timestamp()).isEqualTo(1234);
    assertThat(one.key()).isEqualTo("author-7");
    assertThat(one.headers()).containsExactly(Map.entry("traceparent", "00-abc-01"),
        Map.entry("é-name", "välue ✓"), Map.entry("empty", ""));
    assertThat(one.value()).containsExactly(1, 2, 3);

    StreamRecord two = RecordCodec.decode(chunk, 10 + first.length(), second.length(), "t", 2, 41, 1234);
    assertThat(two.key()).isNull();
    assertThat(two.headers()).isEmpty();
    assertThat(two.value()).isEmpty();

    StreamRecord three = RecordCodec.decode(chunk, 10 + first.length() + second.length(), third.length(), "t",
        2, 42, 1235);
    assertThat(three.key()).isEqualTo("ключ");
    assertThat(three.value()).containsExactly(9);
  }

  @Test
  void everyReadHasAValueArrayOfItsOwn() {
    byte[] chunk = new byte[64];
    RecordCodec.Encoded encoded = RecordCodec.encode("k", Map.of(), new byte[] {5, 6});
    encoded.writeTo(chunk, 0);

    StreamRecord a = RecordCodec.decode(chunk, 0, encoded.length(), "t", 0, 0, 0);
    StreamRecord b = RecordCodec.decode(chunk, 0, encoded.length(), "t", 0, 0, 0);
    a.value()[0] = 42;
    assertThat(b.value()).containsExactly(5, 6);
    assertThat(RecordCodec.decode(chunk, 0, encoded.length(), "t", 0, 0, 0).value()).containsExactly(5, 6);
  }

  @Test
  void aKeyCacheGivesTheSameKeyForTheSameBytesAndNeverAnotherKey() {
    RecordCodec.KeyCache keys = new RecordCodec.KeyCache();
    byte[] chunk = new byte[4096];
    int at = 0;
    java.util.List<int[]> places = new java.util.ArrayList<>();
    java.util.List<String> written = new java.util.ArrayList<>();
    // more keys than the cache has slots, non-ASCII and too long ones among them, each written twice
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < 300; k += 7) {
        String key = k % 3 == 0 ? "ключ-" + k : k % 5 == 0 ? "long-" + "x".repeat(70) + k : "author-" + k;
        RecordCodec.Encoded encoded = RecordCodec.encode(key, Map.of(), new byte[] {1});
        if (at + encoded.length() > chunk.length) {
          chunk = java.util.Arrays.copyOf(chunk, chunk.length * 2);
        }
        encoded.writeTo(chunk, at);
        places.add(new int[] {at, encoded.length()});
        written.add(key);
        at += encoded.length();
      }
    }
    for (int r = 0; r < places.size(); r++) {
      int[] place = places.get(r);
      assertThat(RecordCodec.decode(chunk, place[0], place[1], "t", 0, r, 0, keys).key())
          .as("key of record %d", r).isEqualTo(written.get(r));
    }
    RecordCodec.Encoded none = RecordCodec.encode(null, Map.of(), new byte[] {1});
    none.writeTo(chunk, 0);
    assertThat(RecordCodec.decode(chunk, 0, none.length(), "t", 0, 0, 0, keys).key()).isNull();
  }
}
