package dev.fanout.dashboard;

import dev.fanout.outbox.OutboxFigures;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;

/**
 * The outbox's last few readings and what the dashboard shows of them: the newest figures, and the rate
 * events were appended at between the oldest and the newest reading kept. A failed reading keeps the
 * figures of the last good one and adds its error, until a reading succeeds again. Plain state: no I/O,
 * not thread-safe (the sampler's context owns it).
 */
final class OutboxReadings {

  private record Reading(long atMillis, OutboxFigures.Figures figures) {
  }

  private final int window;
  private final ArrayDeque<Reading> readings = new ArrayDeque<>();
  private String error;

  /** @param window readings the rate is measured over, at least 2 */
  OutboxReadings(int window) {
    if (window < 2) {
      throw new IllegalArgumentException("window must be at least 2, was " + window);
    }
    this.window = window;
  }

  void add(long atMillis, OutboxFigures.Figures figures) {
    readings.addLast(new Reading(atMillis, figures));
    while (readings.size() > window) {
      readings.removeFirst();
    }
    error = null;
  }

  void failed(String message) {
    error = message;
  }

  /**
   * {@code {unsent, capped, oldestUnsentMillis, appendedPerSecond, readAt}} of the newest reading (each null
   * before the first one), and {@code error} when the last reading failed.
   */
  JsonObject json() {
    JsonObject json = new JsonObject();
    Reading newest = readings.peekLast();
    Reading oldest = readings.peekFirst();
    if (newest == null) {
      json.putNull("unsent").putNull("capped").putNull("oldestUnsentMillis").putNull("appendedPerSecond")
          .putNull("readAt");
    } else {
      double seconds = (newest.atMillis() - oldest.atMillis()) / 1000.0;
      json.put("unsent", newest.figures().unsent())
          .put("capped", newest.figures().capped())
          .put("oldestUnsentMillis", newest.figures().oldestUnsentMillis())
          .put("appendedPerSecond", seconds <= 0 ? null
              : GroupRates.perSecond(newest.figures().appended() - oldest.figures().appended(), seconds))
          .put("readAt", newest.atMillis());
    }
    if (error != null) {
      json.put("error", error);
    }
    return json;
  }
}
