package dev.fanout.stream;

import java.util.List;

/**
 * A snapshot of a consumer group.
 *
 * @param offsetResets how often a member found its committed offset outside the retained log and
 *                     followed its {@link StartPosition} instead (records were lost to retention);
 *                     -1 when the backend cannot tell. A backend that keeps no count itself (Kafka)
 *                     counts what the members of the describing stream met since it opened.
 */
public record GroupDescription(String group, String topic, GroupState state, List<Member> members,
                               List<PartitionLag> partitions, long offsetResets) {

  /** The summed lag of all partitions. */
  public long totalLag() {
    return partitions.stream().mapToLong(PartitionLag::lag).sum();
  }

  /** A member and the partitions it owns; idle when it owns none. */
  public record Member(String memberId, List<Integer> partitions) {
    public boolean idle() {
      return partitions.isEmpty();
    }
  }

  /**
   * @param committed the committed offset (the next record the group will read), -1 when none
   * @param logEnd    the offset the next appended record will get
   * @param lag       {@code logEnd - committed}, or the retained records when nothing is committed
   */
  public record PartitionLag(int partition, long committed, long logEnd, long lag) {
  }
}
