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
