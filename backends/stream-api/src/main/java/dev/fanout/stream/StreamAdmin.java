package dev.fanout.stream;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Topics and groups of a stream, for operators, the dashboard and tests. Its methods fail as stated on
 * {@link EventStream}: never by throwing, and with the exception types listed there.
 */
public interface StreamAdmin {

  /**
   * Creates a topic with a fixed number of partitions. Succeeds when the topic already exists with the
   * same partition count; fails when it exists with another, or when the backend cannot satisfy the
   * replication factor (the in-memory backend accepts only 1).
   */
  Future<Void> createTopic(String topic, int partitions, int replicationFactor);

  /**
   * Deletes a topic with its records, and the offsets groups committed on it. When the future succeeds,
   * {@link #listTopics} no longer lists it and sending to it fails as to any unknown topic. A group left
   * with neither members nor committed offsets may still be listed until {@link #deleteGroup} deletes it.
   * Fails with an {@link IllegalArgumentException} for an unknown topic, and, before anything changed, with
   * an {@link IllegalStateException} naming the groups while a group with live members reads it (this
   * stream's members included: they must leave first; Kafka itself would let them go on reading a topic
   * that is gone).
   */
  Future<Void> deleteTopic(String topic);

  /**
   * Deletes a group: its committed offsets and its name. When the future succeeds, {@link #listGroups} no
   * longer lists it, {@link #describeGroup} fails for it, and a member that joins a group of that name later
   * starts afresh from its start position. Fails with an {@link IllegalArgumentException} for an unknown
   * group, and, before anything changed, with an {@link IllegalStateException} naming them while the group
   * has live members, this stream's included: they must leave first (Kafka refuses too). A member that has
   * just left may count as live for a moment under a remote coordinator; a caller retries.
   */
  Future<Void> deleteGroup(String group);

  /** Every topic with its partitions' start and end offsets, sorted by name. */
  Future<List<TopicDescription>> listTopics();

  /** The names of every group with committed offsets or live members, sorted. */
  Future<List<String>> listGroups();

  /**
   * A group's state, members and their partitions, and per partition the committed offset, log-end
   * offset and lag. Fails for an unknown group.
   */
  Future<GroupDescription> describeGroup(String group);

  /**
   * Moves a group's committed offsets on {@code topic} to {@code spec}, every partition, clamped to the
   * retained range. With {@code preview} nothing changes (a group that does not exist is not created) and
   * the offsets it would set are returned.
   * Members of the group that this stream created are paused, moved and resumed, so a running group can
   * be reset. While the group has active members that this stream did not create (another process's, or
   * another stream's), the reset fails with an {@link IllegalStateException} naming them, before anything
   * changed; a preview is still answered.
   *
   * @return the new committed offset per partition
   */
  Future<Map<Integer, Long>> resetOffsets(String group, String topic, OffsetSpec spec, boolean preview);
}
