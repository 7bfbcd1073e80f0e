package dev.fanout.stream.spi;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.OffsetSpec;
import dev.fanout.stream.SubscribeOptions;
import java.util.Map;

/**
 * Checks of arguments that every backend makes the same way, so that bad arguments fail alike under every
 * backend: each throws an {@link IllegalArgumentException} naming what is wrong. Call them inside
 * {@link Calls#call}, which turns the exception into the failed future the SPI promises.
 */
public final class ArgumentChecks {

  private ArgumentChecks() {
  }

  /** {@code send}'s arguments: a topic, a value (possibly empty), and headers as {@link #requireHeaders} wants them. */
  public static void requireSend(String topic, Map<String, String> headers, byte[] value) {
    if (topic == null) {
      throw new IllegalArgumentException("send needs a topic");
    }
    if (value == null) {
      throw new IllegalArgumentException("send needs a value (an empty array for none)");
    }
    requireHeaders(headers);
  }

  /** Headers to send: null (none) or a map whose names and values are all non-null. */
  public static void requireHeaders(Map<String, String> headers) {
    if (headers == null) {
      return;
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (header.getKey() == null) {
        throw new IllegalArgumentException("a header has no name (its value is '" + header.getValue() + "')");
      }
      if (header.getValue() == null) {
        throw new IllegalArgumentException("header '" + header.getKey() + "' has no value");
      }
    }
  }

  /** {@code subscribe}'s arguments: both are required. */
  public static void requireSubscribe(SubscribeOptions options, BatchHandler handler) {
    if (options == null) {
      throw new IllegalArgumentException("subscribe needs options");
    }
    if (handler == null) {
      throw new IllegalArgumentException("subscribe needs a batch handler");
    }
  }

  /**
   * {@code createTopic}'s arguments: a topic name, at least one partition and a replication factor of at
   * least one that Kafka's protocol can carry (a short). A backend adds what it alone cannot take.
   */
  public static void requireCreateTopic(String topic, int partitions, int replicationFactor) {
    requireName("topic", topic);
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
      throw new IllegalArgumentException("replication factor must be between 1 and " + Short.MAX_VALUE
          + ", was " + replicationFactor);
    }
  }

  /** {@code resetOffsets}'s arguments: a group, a topic and a target. */
  public static void requireReset(String group, String topic, OffsetSpec spec) {
    requireName("group", group);
    requireName("topic", topic);
    if (spec == null) {
      throw new IllegalArgumentException("resetOffsets needs a target spec: earliest, latest, a timestamp or an offset");
    }
  }

  /** The name of a {@code kind} (topic, group): not null, not blank. */
  public static void requireName(String kind, String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(kind + " name must not be blank, was "
          + (name == null ? "null" : "'" + name + "'"));
    }
  }
}
