package dev.fanout.stream;

import java.util.Map;
import java.util.Objects;

/**
 * One record of a partitioned topic, as a consumer sees it.
 *
 * <p>Records are immutable. {@code value} is owned by the stream: handlers must not modify the array.
 *
 * @param topic     the topic it was written to
 * @param partition its partition, {@code 0 <= partition < partitions}
 * @param offset    its position in the partition; offsets of one partition grow by one per record
 * @param timestamp milliseconds since the epoch, set when the record was appended
 * @param key       the partitioning key, or {@code null} for a record that was spread
 * @param headers   string headers in insertion order, never {@code null}
 * @param value     the payload bytes, never {@code null}
 */
public record StreamRecord(String topic, int partition, long offset, long timestamp, String key,
                           Map<String, String> headers, byte[] value) {

  public StreamRecord {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(value, "value");
  }

  /** The position of this record, the same as the producer was told. */
  public RecordPosition position() {
    return new RecordPosition(partition, offset);
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset + " key=" + key + " (" + value.length + " bytes)";
  }
}
