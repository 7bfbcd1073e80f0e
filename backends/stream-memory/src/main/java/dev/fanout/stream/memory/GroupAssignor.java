package dev.fanout.stream.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which member owns each partition, stickily, as Kafka's cooperative-sticky assignor does.
 *
 * <p>The result is balanced: with {@code n} members and {@code P} partitions every member gets
 * {@code P / n} or {@code P / n + 1} partitions (so members beyond the partition count own nothing). Within
 * that, as few partitions as possible move: a member keeps the partitions it had as long as its share
 * allows, the larger shares go to the members that had the most, and a member that must give some up keeps
 * its lowest-numbered ones. Partitions left over (their owner left, or gave them up) go in ascending order
 * to the members with room, in join order.
 *
 * <p>A pure function: no state, thread-safe, and the same arguments always give the same result.
 */
final class GroupAssignor {

  private GroupAssignor() {
  }

  /** The target owner of every partition when nobody owned any yet. */
  static String[] assign(List<String> members, int partitions) {
    return assign(members, partitions, new String[partitions]);
  }

  /**
   * The target owner of every partition.
   *
   * @param members    member ids in join order
   * @param partitions the topic's partition count
   * @param previous   the previous target owner of each partition (null entries for none); owners that are
   *                   no longer in {@code members} are ignored
   * @return an array indexed by partition; every entry is null when {@code members} is empty
   */
  static String[] assign(List<String> members, int partitions, String[] previous) {
    String[] owners = new String[partitions];
    if (members.isEmpty()) {
      return owners;
    }
    Map<String, List<Integer>> had = new LinkedHashMap<>();
    for (String member : members) {
      had.put(member, new ArrayList<>());
    }
    for (int p = 0; p < partitions; p++) {
      List<Integer> owned = previous[p] == null ? null : had.get(previous[p]);
      if (owned != null) {
        owned.add(p);
      }
    }
    Map<String, Integer> shares = shares(members, partitions, had);
    Map<String, Integer> counts = new HashMap<>();
    for (String member : members) {
      List<Integer> kept = had.get(member).subList(0, Math.min(shares.get(member), had.get(member).size()));
      kept.forEach(p -> owners[p] = member);
      counts.put(member, kept.size());
    }
    int next = 0;
    for (String member : members) {
      while (counts.get(member) < shares.get(member)) {
        while (owners[next] != null) {
          next++;
        }
        owners[next] = member;
        counts.merge(member, 1, Integer::sum);
      }
    }
    return owners;
  }

  // Each member's partition count: P / n, plus one for the P mod n members that had the most (ties: join order).
  private static Map<String, Integer> shares(List<String> members, int partitions, Map<String, List<Integer>> had) {
    List<String> byHoldings = new ArrayList<>(members);
    // a stable sort: among members that had as many, join order decides
    byHoldings.sort(Comparator.comparingInt((String member) -> had.get(member).size()).reversed());
    int base = partitions / members.size();
    int larger = partitions % members.size();
    Map<String, Integer> shares = new HashMap<>();
    for (int i = 0; i < byHoldings.size(); i++) {
      shares.put(byHoldings.get(i), base + (i < larger ? 1 : 0));
    }
    return shares;
  }
}
