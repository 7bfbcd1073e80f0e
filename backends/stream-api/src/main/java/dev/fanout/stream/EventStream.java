package dev.fanout.stream;

import io.vertx.core.Future;
import java.util.Map;

/**
 * A partitioned, replayable stream of records read by independent consumer groups: write once, read by
 * many. Records are never removed by reading; each group keeps its own committed offsets.
 *
 * <p>Obtain one with {@link StreamBackends#open}. Every method returns a {@link Future} and none of
 * them blocks the calling thread. Called on a Vert.x context, every method of the SPI ({@code EventStream},
 * {@link StreamAdmin}, {@link GroupMember}) completes its future on that context, whichever thread or context
 * did the work, so the caller's callbacks run where its other callbacks run; called outside a context, the
 * future completes on a context of the backend's choosing.
 *
 * <p>Failures. No method of the SPI ({@code EventStream}, {@link StreamAdmin}, {@link GroupMember}) throws:
 * each fails its future instead, and every backend fails alike:
 * <ul>
 *   <li>{@link IllegalArgumentException} for a bad argument or an unknown name: a null or blank topic or
 *       group, a null value, options, handler or reset target, a header without a name or a value, a topic
 *       or group that does not exist, a group asked to read a second topic (a group with members or
 *       committed offsets reads exactly one), settings a backend cannot take;</li>
 *   <li>{@link IllegalStateException} for a state change the stream refuses: the stream is closed, a topic
 *       exists with another partition count, a reset while the group has active members that this stream
 *       did not create, deleting a topic that a group with live members reads or a group with live members;</li>
 *   <li>{@link java.util.concurrent.TimeoutException} when {@link #subscribe}'s bound on joining passed;</li>
 *   <li>anything else the transport fails with (a broker's own exceptions), as it is.</li>
 * </ul>
 * Each message names what was wrong (the topic, the group, the setting).
 */
public interface EventStream {

  /** The backend's name, as given to {@link StreamBackends#open}. */
  String backend();

  /**
   * Whether records and committed offsets outlive this process: true when a process that opens the stream
   * again after a restart finds them (Kafka), false when they live only in this process's memory and a
   * restarted process starts from empty topics (the in-memory backend). Whatever must not be lost across
   * a restart, a caller then keeps elsewhere (Fanout: the outbox).
   */
  boolean survivesRestart();

  /**
   * Appends one record. A non-null key goes to {@link KeyPartitioner#partition(String, int)}; a null key
   * is spread over the partitions. Records sent with the same key by one caller are appended in the
   * order of the calls. The future succeeds once the record is durable as far as the backend promises
   * (in memory: appended; Kafka: acknowledged by all in-sync replicas). Fails for an unknown topic.
   *
   * @param headers null for none; every name and value must be non-null, else the future fails with an
   *                {@link IllegalArgumentException} and nothing is written
   */
  Future<RecordPosition> send(String topic, String key, Map<String, String> headers, byte[] value);

  /**
   * Adds one member to a consumer group and starts delivering records to {@code handler} on the
   * caller's Vert.x context (a new one when called outside a context). The group rebalances: its
   * partitions are spread over all members (partition counts differ by at most one), and when members join
   * or leave only the partitions that balance needs change hands; a partition taken from another member is
   * started only after that member's batches in flight on it have finished (and their successful prefix
   * committed) or been abandoned, from the committed offset. A backend that joins through a remote
   * coordinator bounds the wait for the member's first assignment (Kafka: {@code subscribe.timeout.ms});
   * past it the future fails with a {@link java.util.concurrent.TimeoutException}, once the member left
   * again.
   */
  Future<GroupMember> subscribe(SubscribeOptions options, BatchHandler handler);

  /** Pauses every member of {@code group} that this stream created (see {@link GroupMember#pause()}). */
  Future<Void> pauseGroup(String group);

  /** Resumes every member of {@code group} that this stream created. */
  Future<Void> resumeGroup(String group);

  StreamAdmin admin();

  /** Makes every member of this stream leave its group, then releases the backend's resources. */
  Future<Void> close();
}
