package dev.fanout.stream;

import io.vertx.core.Future;
import java.util.Set;

/**
 * One member of a consumer group, created by {@link EventStream#subscribe}.
 *
 * <p>Each partition of the group's topic belongs to at most one member at a time. A member that owns
 * no partition (because the group has more members than the topic has partitions) is idle and takes
 * over partitions when another member leaves or crashes.
 *
 * <p>All methods are safe to call from any thread. Their futures complete on the caller's Vert.x context,
 * or on the member's (the context that subscribed) when called outside one.
 */
public interface GroupMember {

  /** Unique within the group; stable for the member's life. */
  String memberId();

  String group();

  String topic();

  /** The partitions this member owns right now, a snapshot; empty while idle or not yet assigned. */
  Set<Integer> assignment();

  /** True when the member is in the group but owns no partition. */
  default boolean idle() {
    return assignment().isEmpty();
  }

  /**
   * Stops handing out new batches. Batches already in flight finish and commit their prefix (see
   * {@link BatchHandler}); the member keeps its partitions (no rebalance).
   */
  Future<Void> pause();

  /** Undoes {@link #pause()}. */
  Future<Void> resume();

  boolean paused();

  /**
   * Leaves the group cleanly: no new batches, every batch in flight finishes and the successful prefix of
   * each partition commits, then the member's partitions go to the remaining members, who start from the
   * committed offsets.
   */
  Future<Void> leave();

  /**
   * Leaves the group as a crashed process would: in-flight batches are abandoned and nothing more is
   * committed, so their records are delivered again to the partitions' next owners. Used by tests and fault
   * injection.
   */
  Future<Void> crash();
}
