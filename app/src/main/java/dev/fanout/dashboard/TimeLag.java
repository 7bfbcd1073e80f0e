package dev.fanout.dashboard;

import java.util.List;

/**
 * Time lag: how old the oldest record a group has not handled yet is, estimated without reading records.
 *
 * <p>The sampler remembers a partition's log-end offset over time. The first unhandled record is the one
 * at the committed position {@code p}; it was appended when the log end went from {@code p} to
 * {@code p + 1}. Between two samples the log end is assumed to have grown at an even pace, so that moment
 * is found by linear interpolation between the last sample whose log end was at most {@code p} and the one
 * after it. The time lag is now minus that moment. When the record is older than every sample held, the
 * age of the oldest sample is returned: a lower bound. A caught-up partition has a time lag of 0.
 */
final class TimeLag {

  private TimeLag() {
  }

  /** A partition's log end at one instant. */
  record Point(long atMillis, long logEnd) {
  }

  /**
   * @param points   the partition's log end over time, oldest first
   * @param position the next offset the group will read
   * @param logEnd   the log end now
   * @param nowMillis the present
   * @return milliseconds, at least 0
   */
  static long millis(List<Point> points, long position, long logEnd, long nowMillis) {
    if (position >= logEnd || points.isEmpty()) {
      return 0;
    }
    long target = position + 1;
    for (int i = points.size() - 1; i >= 0; i--) {
      Point before = points.get(i);
      if (before.logEnd() < target) {
        Point after = i + 1 < points.size() ? points.get(i + 1) : new Point(nowMillis, logEnd);
        double share = after.logEnd() == before.logEnd() ? 1.0
            : (double) (target - before.logEnd()) / (after.logEnd() - before.logEnd());
        long appendedAt = before.atMillis() + Math.round(share * (after.atMillis() - before.atMillis()));
        return Math.max(0, nowMillis - appendedAt);
      }
    }
    return Math.max(0, nowMillis - points.get(0).atMillis());
  }
}
