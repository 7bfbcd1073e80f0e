package dev.fanout.stream.memory;

import dev.fanout.stream.GroupState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Membership, partition ownership and committed offsets of one consumer group on one topic: the
 * in-memory backend's group coordinator, with no I/O and no Vert.x in it.
 *
 * <p>Ownership works like Kafka's cooperative protocol. {@link GroupAssignor} gives each partition a
 * target member, sticking to the previous targets: when members join or leave, only the partitions needed
 * for balance change their target. A partition without an owner goes to its target at once. A partition whose owner is
 * not its target stays with the owner until the owner {@link #release releases} it (after its in-flight
 * batch finished or was abandoned); only then does the target get it. Each grant of a partition gets a
 * new epoch, and a commit is accepted only from the current owner with the current epoch, so work of a
 * member that lost a partition, or of a partition whose offsets were reset, can never be committed.
 *
 * <p>Invariants: each partition has at most one owner, and an owner is always a live member; the
 * committed offset only changes through an accepted {@link #commit} or {@link #reset}.
 *
 * <p>Thread-safe: all state is guarded by this object's monitor. {@link Listener}s are called after the
 * monitor is released, from the thread that caused the change.
 */
final class ConsumerGroup {

  /** Told that the group changed, so that a member re-reads {@link #grants}. Must not block. */
  interface Listener {
    void groupChanged();
  }

  /** A partition a member owns: its epoch, and whether the member must give it up. */
  record Grant(int partition, int epoch, boolean revoking) {
  }

  private final String name;
  private final String topic;
  private final int partitions;

  // all guarded by this
  private final Map<String, Listener> members = new LinkedHashMap<>();
  private final String[] owners;
  private final int[] epochs;
  private final long[] committed;
  private String[] targets;
  private long offsetResets;
  private boolean deleted;

  ConsumerGroup(String name, String topic, int partitions) {
    this.name = name;
    this.topic = topic;
    this.partitions = partitions;
    this.owners = new String[partitions];
    this.epochs = new int[partitions];
    this.committed = new long[partitions];
    Arrays.fill(committed, -1L);
    this.targets = new String[partitions];
  }

  String name() {
    return name;
  }

  String topic() {
    return topic;
  }

  int partitions() {
    return partitions;
  }

  /** Adds a member; partitions it is due are granted now or once their current owners release them. */
  void join(String memberId, Listener listener) {
    List<Listener> toWake;
    synchronized (this) {
      if (deleted) {
        throw new IllegalStateException("group '" + name + "' was deleted while member " + memberId
            + " joined it; subscribe again");
      }
      if (members.containsKey(memberId)) {
        throw new IllegalStateException("member " + memberId + " is already in group " + name);
      }
      members.put(memberId, listener);
      toWake = rebalance();
    }
    wake(toWake);
  }

  /**
   * Removes a member at once, whether it left or crashed; its partitions go to their new targets. Work
   * it still has in flight can no longer commit. Removing an unknown member does nothing.
   */
  void remove(String memberId) {
    List<Listener> toWake;
    synchronized (this) {
      if (members.remove(memberId) == null) {
        return;
      }
      for (int p = 0; p < partitions; p++) {
        if (memberId.equals(owners[p])) {
          owners[p] = null;
        }
      }
      toWake = rebalance();
    }
    wake(toWake);
  }

  /** The partitions {@code memberId} owns, ascending; empty for an idle or unknown member. */
  synchronized List<Grant> grants(String memberId) {
    List<Grant> grants = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      if (memberId.equals(owners[p])) {
        grants.add(new Grant(p, epochs[p], !memberId.equals(targets[p])));
      }
    }
    return grants;
  }

  /**
   * Gives up a partition that is being revoked. Ignored unless {@code memberId} owns it with {@code
   * epoch} and it is indeed being revoked.
   */
  void release(String memberId, int partition, int epoch) {
    List<Listener> toWake;
    synchronized (this) {
      if (!memberId.equals(owners[partition]) || epochs[partition] != epoch
          || memberId.equals(targets[partition])) {
        return;
      }
      owners[partition] = null;
      toWake = rebalance();
    }
    wake(toWake);
  }

  /**
   * Commits the offset of the next record to read. Accepted only from the owner of the partition with
   * the current epoch.
   *
   * @return whether the commit was accepted
   */
  synchronized boolean commit(String memberId, int partition, int epoch, long offset) {
    if (!memberId.equals(owners[partition]) || epochs[partition] != epoch) {
      return false;
    }
    committed[partition] = offset;
    return true;
  }

  /** The committed offset of a partition, -1 when nothing was committed. */
  synchronized long committed(int partition) {
    return committed[partition];
  }

  /** All committed offsets, indexed by partition. */
  synchronized long[] committedOffsets() {
    return committed.clone();
  }

  /**
   * Sets committed offsets from outside the group (an operator's reset). Partitions that have an owner
   * get a new epoch, so the owner drops its position and re-reads from the new offset, and a batch it
   * has in flight cannot commit over the reset.
   */
  void reset(Map<Integer, Long> offsets) {
    List<Listener> toWake;
    synchronized (this) {
      offsets.forEach((p, offset) -> {
        committed[p] = offset;
        if (owners[p] != null) {
          epochs[p]++;
        }
      });
      toWake = new ArrayList<>(members.values());
    }
    wake(toWake);
  }

  /** Counts a member's fall back to its start position because its offset left retention. */
  synchronized void countOffsetReset() {
    offsetResets++;
  }

  synchronized long offsetResets() {
    return offsetResets;
  }

  /** Member ids in join order, each with the partitions it owns. */
  synchronized Map<String, List<Integer>> ownership() {
    Map<String, List<Integer>> result = new LinkedHashMap<>();
    for (String member : members.keySet()) {
      result.put(member, new ArrayList<>());
    }
    for (int p = 0; p < partitions; p++) {
      if (owners[p] != null) {
        result.get(owners[p]).add(p);
      }
    }
    return result;
  }

  synchronized GroupState state() {
    if (members.isEmpty()) {
      return GroupState.EMPTY;
    }
    for (int p = 0; p < partitions; p++) {
      if (owners[p] == null || !owners[p].equals(targets[p])) {
        return GroupState.REBALANCING;
      }
    }
    return GroupState.STABLE;
  }

  /**
   * Marks the group deleted unless it has members: a deleted group refuses every later {@link #join}, so
   * that a member never joins a group its store no longer holds.
   *
   * @return whether it is deleted now
   */
  synchronized boolean delete() {
    if (!members.isEmpty()) {
      return false;
    }
    deleted = true;
    return true;
  }

  synchronized boolean hasMembers() {
    return !members.isEmpty();
  }

  // Recomputes targets and grants every partition that has no owner; returns whom to wake.
  private List<Listener> rebalance() {
    targets = GroupAssignor.assign(new ArrayList<>(members.keySet()), partitions, targets);
    for (int p = 0; p < partitions; p++) {
      if (owners[p] == null && targets[p] != null) {
        owners[p] = targets[p];
        epochs[p]++;
      }
    }
    return new ArrayList<>(members.values());
  }

  private static void wake(List<Listener> listeners) {
    for (Listener listener : listeners) {
      listener.groupChanged();
    }
  }
}
