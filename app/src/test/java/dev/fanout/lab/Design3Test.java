package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutOptions;
import dev.fanout.compose.PartsFactory;
import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Design 3 is the app as it is: every setting is the app's, except those {@link Design3} lists. */
class Design3Test {

  @Test
  void everySettingButTheListedOnesIsTheApps() throws Exception {
    // nothing at its default, so that a value typed into the lab instead of taken from the app shows
    PartsFactory.Settings app = FanoutOptions.parse(new String[] {"--partitions", "5", "--replication-factor", "2",
        "--consumers-per-group", "3", "--retry-attempts", "7", "--retry-backoff-ms", "33", "--breaker-wait-ms", "777",
        "--outbox-keep-minutes", "9", "--lucene-refresh-ms", "44", "--opensearch-refresh-ms", "55"}, Map.of())
        .parts(PartsFactory.EVENTS_TOPIC);

    PartsFactory.Settings design3 = Design3.settings(app, "lab-run-1");

    Set<String> differing = new HashSet<>();
    for (RecordComponent component : PartsFactory.Settings.class.getRecordComponents()) {
      Object mine = component.getAccessor().invoke(app);
      Object theirs = component.getAccessor().invoke(design3);
      if (!mine.equals(theirs)) {
        differing.add(component.getName());
      }
    }
    assertThat(differing).as("settings of design 3 that are not the app's").isEqualTo(Design3.DIFFERENCES);
    assertThat(design3.topic()).isEqualTo("lab-run-1");
    assertThat(design3.replayUnsentAtStart()).isFalse();
  }
}
