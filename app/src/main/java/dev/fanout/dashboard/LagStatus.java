package dev.fanout.dashboard;

import java.util.List;

/**
 * A partition's or a group's health, judged in the manner of LinkedIn Burrow from a sliding window of
 * sampled commits (the sampler's last {@link #WINDOW} samples, one a second), never from a lag threshold.
 *
 * <p>For one partition, over the window (oldest to newest), the first rule that matches wins:
 * <ol>
 *   <li>the committed position went backwards between two samples (an offset reset or a rewind):
 *       <b>ERR</b>, the group reads records again;</li>
 *   <li>the group's sink circuit is open (or half open) in the newest sample and the partition has lag
 *       in it: <b>OPEN</b>, records wait for a sink that is down, however recently the lag was 0;</li>
 *   <li>fewer than two samples: <b>OK</b>, there is nothing to judge yet;</li>
 *   <li>the lag was 0 in some sample: <b>OK</b>, it caught up within the window;</li>
 *   <li>no live member owns the partition, or an operator paused the group: <b>STOP</b>, nobody reads it;</li>
 *   <li>the position did not move over the window: <b>STALL</b>, it is owned but nothing gets committed;</li>
 *   <li>the position moved, the lag never shrank from one sample to the next and ended higher than it
 *       began: <b>WARN</b>, it reads but falls behind;</li>
 *   <li>otherwise <b>OK</b>: it moves and its lag holds or shrinks at times, so it keeps up (a lag that
 *       hovers a few records above zero under a steady load is OK) or catches up.</li>
 * </ol>
 * A group's status is its worst partition's, in the order OK &lt; WARN &lt; STALL &lt; OPEN &lt; STOP &lt; ERR.
 * The circuit is known only where the group runs in this process; elsewhere the rules read the stream's
 * view alone, which spans every instance.
 */
public enum LagStatus {
  OK, WARN, STALL, OPEN, STOP, ERR;

  /** Samples in the sliding window: about ten seconds. */
  static final int WINDOW = 10;

  /** The status of one partition over {@code window}, oldest first. */
  static LagStatus ofPartition(List<GroupSample> window, int partition) {
    List<GroupSample> present = window.stream().filter(s -> s.partitions().containsKey(partition)).toList();
    if (present.isEmpty()) {
      return OK;
    }
    boolean rewound = false;
    boolean caughtUpOnce = false;
    boolean lagNeverShrank = true;
    for (int i = 0; i < present.size(); i++) {
      GroupSample.Offsets now = present.get(i).partitions().get(partition);
      caughtUpOnce |= now.lag() == 0;
      if (i > 0) {
        GroupSample.Offsets before = present.get(i - 1).partitions().get(partition);
        rewound |= now.position() < before.position();
        lagNeverShrank &= now.lag() >= before.lag();
      }
    }
    GroupSample newestSample = present.get(present.size() - 1);
    GroupSample.Offsets oldest = present.get(0).partitions().get(partition);
    GroupSample.Offsets newest = newestSample.partitions().get(partition);
    if (rewound) {
      return ERR;
    }
    if (newestSample.circuitOpen() && newest.lag() > 0) {
      return OPEN;
    }
    if (present.size() < 2) {
      return OK;
    }
    if (caughtUpOnce) {
      return OK;
    }
    if (!newestSample.owned().contains(partition) || newestSample.paused()) {
      return STOP;
    }
    if (newest.position() == oldest.position()) {
      return STALL;
    }
    return lagNeverShrank && newest.lag() > oldest.lag() ? WARN : OK;
  }

  /** The worst status of the group's partitions in the newest sample. */
  static LagStatus ofGroup(List<GroupSample> window) {
    if (window.isEmpty()) {
      return OK;
    }
    LagStatus worst = OK;
    for (int partition : window.get(window.size() - 1).partitions().keySet()) {
      LagStatus status = ofPartition(window, partition);
      if (status.compareTo(worst) > 0) {
        worst = status;
      }
    }
    return worst;
  }
}
