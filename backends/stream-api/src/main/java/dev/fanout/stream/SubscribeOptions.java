package dev.fanout.stream;

import java.util.Objects;

/**
 * How one member joins a consumer group.
 *
 * @param topic        the topic the group reads; a group reads exactly one topic
 * @param group        the consumer group's name
 * @param startFrom    where the group starts on a partition without a committed offset
 * @param maxBatchSize the most records handed to one {@link BatchHandler} call; also the bound on a
 *                     member's in-flight records per partition (backpressure)
 * @param retryDelayMs how long a partition waits before its failed batch is delivered again
 */
public record SubscribeOptions(String topic, String group, StartPosition startFrom, int maxBatchSize,
                               long retryDelayMs) {

  public static final int DEFAULT_MAX_BATCH_SIZE = 500;
  public static final long DEFAULT_RETRY_DELAY_MS = 100;

  public SubscribeOptions {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(startFrom, "startFrom");
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank");
    }
    if (group.isBlank()) {
      throw new IllegalArgumentException("group must not be blank");
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be at least 1, was " + maxBatchSize);
    }
    if (retryDelayMs < 0) {
      throw new IllegalArgumentException("retryDelayMs must not be negative, was " + retryDelayMs);
    }
  }

  /** Reads {@code topic} in {@code group} from the earliest record, with default batch and retry settings. */
  public static SubscribeOptions of(String topic, String group) {
    return new SubscribeOptions(topic, group, StartPosition.EARLIEST, DEFAULT_MAX_BATCH_SIZE,
        DEFAULT_RETRY_DELAY_MS);
  }

  public SubscribeOptions withStartFrom(StartPosition value) {
    return new SubscribeOptions(topic, group, value, maxBatchSize, retryDelayMs);
  }

  public SubscribeOptions withMaxBatchSize(int value) {
    return new SubscribeOptions(topic, group, startFrom, value, retryDelayMs);
  }

  public SubscribeOptions withRetryDelayMs(long value) {
    return new SubscribeOptions(topic, group, startFrom, maxBatchSize, value);
  }
}
