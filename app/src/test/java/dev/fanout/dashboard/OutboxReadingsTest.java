package dev.fanout.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.outbox.OutboxFigures;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class OutboxReadingsTest {

  private final OutboxReadings readings = new OutboxReadings(3);

  @Test
  void beforeTheFirstReadingEveryFigureIsNull() {
    JsonObject json = readings.json();
    assertThat(json.fieldNames()).containsExactlyInAnyOrder("unsent", "capped", "oldestUnsentMillis",
        "appendedPerSecond", "readAt");
    assertThat(json.getValue("unsent")).isNull();
    assertThat(json.getValue("appendedPerSecond")).isNull();
  }

  @Test
  void oneReadingHasFiguresButNoRateYet() {
    readings.add(1_000, new OutboxFigures.Figures(7, false, 1200L, 40));
    JsonObject json = readings.json();
    assertThat(json.getLong("unsent")).isEqualTo(7);
    assertThat(json.getBoolean("capped")).isFalse();
    assertThat(json.getLong("oldestUnsentMillis")).isEqualTo(1200);
    assertThat(json.getValue("appendedPerSecond")).isNull();
    assertThat(json.getLong("readAt")).isEqualTo(1_000);
  }

  @Test
  void theRateIsMeasuredOverTheReadingsTheWindowKeeps() {
    readings.add(1_000, new OutboxFigures.Figures(0, false, null, 100));
    readings.add(2_000, new OutboxFigures.Figures(0, false, null, 110));
    readings.add(3_000, new OutboxFigures.Figures(0, false, null, 130));
    assertThat(readings.json().getDouble("appendedPerSecond")).isEqualTo(15.0);
    // the first reading leaves the window of three
    readings.add(4_000, new OutboxFigures.Figures(0, false, null, 131));
    assertThat(readings.json().getDouble("appendedPerSecond")).isEqualTo(10.5);
  }

  @Test
  void aFailedReadingKeepsTheLastFiguresWithItsErrorUntilOneSucceeds() {
    readings.add(1_000, new OutboxFigures.Figures(3, true, 50L, 10));
    readings.failed("connection refused");
    JsonObject json = readings.json();
    assertThat(json.getString("error")).isEqualTo("connection refused");
    assertThat(json.getLong("unsent")).isEqualTo(3);
    assertThat(json.getBoolean("capped")).isTrue();
    readings.add(2_000, new OutboxFigures.Figures(0, false, null, 12));
    assertThat(readings.json().containsKey("error")).isFalse();
    assertThat(readings.json().getDouble("appendedPerSecond")).isEqualTo(2.0);
  }
}
