package dev.fanout.stream.kafka;

import dev.fanout.stream.StreamRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** Translates between the SPI's records and Kafka's: string headers travel as UTF-8 bytes. */
final class RecordCodec {

  private static final byte[] EMPTY = new byte[0];

  private RecordCodec() {
  }

  static ProducerRecord<String, byte[]> toKafka(String topic, int partition, String key,
                                                Map<String, String> headers, byte[] value) {
    List<Header> kafkaHeaders = new ArrayList<>(headers == null ? 0 : headers.size());
    if (headers != null) {
      headers.forEach((name, v) -> kafkaHeaders.add(
          new RecordHeader(name, v == null ? null : v.getBytes(StandardCharsets.UTF_8))));
    }
    return new ProducerRecord<>(topic, partition, null, key, value, kafkaHeaders);
  }

  /** A Kafka record as the SPI shows it; a repeated header keeps its last value, a null value reads as empty. */
  static StreamRecord fromKafka(ConsumerRecord<String, byte[]> record) {
    Map<String, String> headers;
    Header[] array = record.headers().toArray();
    if (array.length == 0) {
      headers = Map.of();
    } else {
      Map<String, String> copy = new LinkedHashMap<>();
      for (Header h : array) {
        copy.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
      }
      headers = Collections.unmodifiableMap(copy);
    }
    return new StreamRecord(record.topic(), record.partition(), record.offset(), record.timestamp(),
        record.key(), headers, record.value() == null ? EMPTY : record.value());
  }
}
