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
}
