package dev.fanout.consumer;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamRecord;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A group's dead-letter topic: where a record goes when it fails permanently, with the reason in its
 * headers so that it can be understood and replayed. The payload and the original headers are kept as
 * they were.
 */
public final class DeadLetters {

  public static final String ORIGINAL_TOPIC = "dlq-original-topic";
  public static final String ORIGINAL_PARTITION = "dlq-original-partition";
  public static final String ORIGINAL_OFFSET = "dlq-original-offset";
  public static final String ORIGINAL_KEY = "dlq-original-key";
  public static final String ERROR = "dlq-error";
  public static final String ATTEMPTS = "dlq-attempts";
  public static final String GROUP = "dlq-group";

  private static final int MAX_ERROR_CHARS = 1000;

  private DeadLetters() {
  }

  /** The dead-letter topic of {@code group} reading {@code topic}. */
  public static String topic(String topic, String group) {
    return topic + ".dlq." + group;
  }

  static Future<RecordPosition> send(EventStream stream, String group, StreamRecord record, Throwable error,
                                     int attempts) {
    Map<String, String> headers = new LinkedHashMap<>(record.headers());
    // a replayed dead letter that fails again keeps pointing at where it first came from
    if (!headers.containsKey(ORIGINAL_TOPIC)) {
      headers.put(ORIGINAL_TOPIC, record.topic());
      headers.put(ORIGINAL_PARTITION, Integer.toString(record.partition()));
      headers.put(ORIGINAL_OFFSET, Long.toString(record.offset()));
      if (record.key() != null) {
        headers.put(ORIGINAL_KEY, record.key());
      }
    }
    String message = error.getClass().getSimpleName() + ": " + error.getMessage();
    headers.put(ERROR, message.length() > MAX_ERROR_CHARS ? message.substring(0, MAX_ERROR_CHARS) : message);
    headers.put(ATTEMPTS, Integer.toString(attempts));
    headers.put(GROUP, group);
    String originalTopic = headers.get(ORIGINAL_TOPIC);
    return stream.send(topic(originalTopic, group), record.key(), headers, record.value());
  }
}
