package dev.fanout.stream.memory;

import java.util.List;

/**
 * Decides which member owns each partition: partition {@code p} goes to member {@code p mod n}, in the
 * order the members joined. Every partition gets exactly one owner while there is a member; when there
 * are more members than partitions, the members that joined last own nothing (idle).
 *
 * <p>A pure function: no state, thread-safe.
 */
final class GroupAssignor {

  private GroupAssignor() {
  }

  /**
   * The target owner of every partition.
   *
   * @param members    member ids in join order
   * @param partitions the topic's partition count
   * @return an array indexed by partition; every entry is null when {@code members} is empty
   */
  static String[] assign(List<String> members, int partitions) {
    String[] owners = new String[partitions];
    if (members.isEmpty()) {
      return owners;
    }
    for (int p = 0; p < partitions; p++) {
      owners[p] = members.get(p % members.size());
    }
    return owners;
  }
}
