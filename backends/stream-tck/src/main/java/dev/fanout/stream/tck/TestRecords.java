package dev.fanout.stream.tck;

import dev.fanout.stream.KeyPartitioner;
import dev.fanout.stream.StreamRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The records the contract tests write: the value is {@code "<key>:<seq>"} in UTF-8, where {@code seq}
 * counts the records a producer sent with that key, from 0. A handler can therefore tell which send a
 * record came from without any shared state.
 */
final class TestRecords {

  private TestRecords() {
  }

  static byte[] value(String key, int seq) {
    return (key + ":" + seq).getBytes(StandardCharsets.UTF_8);
  }

  /** The key written into the value; {@code "null"} for a record sent without a key. */
  static String keyOf(StreamRecord record) {
    String text = new String(record.value(), StandardCharsets.UTF_8);
    return text.substring(0, text.lastIndexOf(':'));
  }

  static int seqOf(StreamRecord record) {
    String text = new String(record.value(), StandardCharsets.UTF_8);
    return Integer.parseInt(text.substring(text.lastIndexOf(':') + 1));
  }

  /** A stable identity of a send, {@code "<key>:<seq>"}. */
  static String idOf(StreamRecord record) {
    return new String(record.value(), StandardCharsets.UTF_8);
  }

  /** {@code perKey} records for each of {@code count} keys, interleaved. */
  static List<String> keys(int count, int perKey) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < perKey; i++) {
      for (int k = 0; k < count; k++) {
        keys.add("key-" + k);
      }
    }
    return keys;
  }

  /**
   * The {@code index}-th key (from 0) of the sequence {@code key-0, key-1, ...} that lands on
   * {@code partition}, so a test can put a known number of records on every partition.
   */
  static String keyOn(int partition, int partitions, int index) {
    int found = 0;
    for (int i = 0; ; i++) {
      String key = "key-" + i;
      if (KeyPartitioner.partition(key, partitions) == partition && found++ == index) {
        return key;
      }
    }
  }
}
