package dev.fanout.dashboard;

import java.util.List;

/**
 * A group's pace over a few recent samples.
 *
 * @param processedPerSecond events this process's members handled per second (0 for a group not run here)
 * @param consumedPerSecond  records the group committed per second, in every process
 * @param producedPerSecond  records appended to the group's topic per second
 * @param etaSeconds         the time to catch up: the lag divided by the net drain rate (how fast the lag
 *                           shrinks); 0 when there is no lag, null when the lag does not shrink
 */
record GroupRates(double processedPerSecond, double consumedPerSecond, double producedPerSecond, Long etaSeconds) {

  /** Samples the rates are measured over: about five seconds. */
  static final int WINDOW = 5;

  /** The rates between the oldest and the newest of {@code window}, oldest first. */
  static GroupRates of(List<GroupSample> window) {
    if (window.isEmpty()) {
      return new GroupRates(0, 0, 0, 0L);
    }
    GroupSample oldest = window.get(0);
    GroupSample newest = window.get(window.size() - 1);
    long lag = newest.lag();
    double seconds = (newest.atMillis() - oldest.atMillis()) / 1000.0;
    if (seconds <= 0) {
      return new GroupRates(0, 0, 0, lag == 0 ? 0L : null);
    }
    double drain = (oldest.lag() - lag) / seconds;
    Long eta = lag == 0 ? Long.valueOf(0) : drain > 0 ? Long.valueOf((long) Math.ceil(lag / drain)) : null;
    return new GroupRates(
        perSecond(newest.processed() - oldest.processed(), seconds),
        perSecond(newest.position() - oldest.position(), seconds),
        perSecond(newest.logEnd() - oldest.logEnd(), seconds),
        eta);
  }

  /** A rate rounded to one decimal; a count that went backwards (a reset, a restart) counts as 0. */
  static double perSecond(long delta, double seconds) {
    return Math.round(Math.max(0, delta) / seconds * 10) / 10.0;
  }
}
