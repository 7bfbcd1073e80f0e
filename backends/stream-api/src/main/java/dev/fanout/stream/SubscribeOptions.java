package dev.fanout.stream;

import java.util.Objects;

/**
 * How one member joins a consumer group.
 *
 * @param topic              the topic the group reads; a group reads exactly one topic
 * @param group              the consumer group's name
 * @param startFrom          where the group starts on a partition without a committed offset
 * @param maxBatchSize       the most records handed to one {@link BatchHandler} call
 * @param retryDelayMs       how long a partition waits, once its failed batch and every batch of it still in
 *                           flight ended, before it is delivered again from the committed offset
 * @param maxBatchesInFlight the most batches of one partition a member hands out before one of them
 *                           completes (see {@link BatchHandler}); 1, the default, hands out the next batch
 *                           only after the previous one completed. A member therefore has at most
 *                           {@code maxBatchSize * maxBatchesInFlight} records of a partition in flight
 *                           (backpressure)
 */
public record SubscribeOptions(String topic, String group, StartPosition startFrom, int maxBatchSize,
                               long retryDelayMs, int maxBatchesInFlight) {

  public static final int DEFAULT_MAX_BATCH_SIZE = 500;
  public static final long DEFAULT_RETRY_DELAY_MS = 100;
  public static final int DEFAULT_MAX_BATCHES_IN_FLIGHT = 1;

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
    if (maxBatchesInFlight < 1) {
      throw new IllegalArgumentException("maxBatchesInFlight must be at least 1, was " + maxBatchesInFlight);
    }
  }

  /** Reads {@code topic} in {@code group} from the earliest record, with default batch and retry settings. */
  public static SubscribeOptions of(String topic, String group) {
    return new SubscribeOptions(topic, group, StartPosition.EARLIEST, DEFAULT_MAX_BATCH_SIZE,
        DEFAULT_RETRY_DELAY_MS, DEFAULT_MAX_BATCHES_IN_FLIGHT);
  }

  public SubscribeOptions withStartFrom(StartPosition value) {
    return new SubscribeOptions(topic, group, value, maxBatchSize, retryDelayMs, maxBatchesInFlight);
  }

  public SubscribeOptions withMaxBatchSize(int value) {
    return new SubscribeOptions(topic, group, startFrom, value, retryDelayMs, maxBatchesInFlight);
  }

  public SubscribeOptions withRetryDelayMs(long value) {
    return new SubscribeOptions(topic, group, startFrom, maxBatchSize, value, maxBatchesInFlight);
  }

  public SubscribeOptions withMaxBatchesInFlight(int value) {
    return new SubscribeOptions(topic, group, startFrom, maxBatchSize, retryDelayMs, value);
  }
}
