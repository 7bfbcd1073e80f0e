package dev.fanout.dashboard;

import java.util.Map;
import java.util.Set;

/**
 * One group as the dashboard's sampler saw it at one instant: per partition the committed position and
 * log end, which partitions a member owned, and this process's processed count. Immutable.
 *
 * @param atMillis   when the sample was taken (wall clock, ms)
 * @param partitions per partition number, its offsets
 * @param owned      the partitions some live member owned
 * @param paused     an operator paused the group (as far as this process knows)
 * @param processed  events this process's members handled since start; 0 for a group not run here
 * @param circuitOpen the group's sink circuit was open or half open in this process (false for a group not
 *                   run here)
 */
record GroupSample(long atMillis, Map<Integer, Offsets> partitions, Set<Integer> owned, boolean paused,
                   long processed, boolean circuitOpen) {

  /** A sample with the circuit closed. */
  GroupSample(long atMillis, Map<Integer, Offsets> partitions, Set<Integer> owned, boolean paused, long processed) {
    this(atMillis, partitions, owned, paused, processed, false);
  }

  /**
   * @param position the next offset the group will read: the committed offset, or when nothing is
   *                 committed the first retained one ({@code logEnd - lag})
   * @param logEnd   the offset the next appended record will get
   */
  record Offsets(long position, long logEnd) {
    long lag() {
      return Math.max(0, logEnd - position);
    }
  }

  long lag() {
    return partitions.values().stream().mapToLong(Offsets::lag).sum();
  }

  long position() {
    return partitions.values().stream().mapToLong(Offsets::position).sum();
  }

  long logEnd() {
    return partitions.values().stream().mapToLong(Offsets::logEnd).sum();
  }
}
