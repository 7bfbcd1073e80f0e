package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.core.Refusal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A plan read from the command line's flags and from the API's JSON: the same defaults, bounds and faults. */
class LabSettingsTest {

  @Test
  void nothingGivenIsTheCommandLinesDefaultsEitherWay() {
    LabPlan fromJson = LabSettings.fromJson(new JsonObject());
    assertThat(fromJson).isEqualTo(LabSettings.fromFlags(Map.of()));
    assertThat(fromJson.publishes()).isEqualTo(LabPlan.DEFAULT_PUBLISHES);
    assertThat(fromJson.faults()).isEqualTo(LabFault.DEFAULTS);
    assertThat(fromJson.designs()).containsExactly(Design.values());
    assertThat(fromJson.settleSeconds()).isEqualTo(60);
  }

  @Test
  void theJsonFieldsAreTheFlagsInCamelCase() {
    LabPlan fromJson = LabSettings.fromJson(new JsonObject().put("publishes", 40).put("faults", new JsonArray().add("none").add("crash"))
        .put("rate", 100).put("concurrency", 4).put("outageSeconds", 2).put("settleSeconds", 3));
    LabPlan fromFlags = LabSettings.fromFlags(Map.of("publishes", "40", "faults", "none,crash", "rate", "100",
        "concurrency", "4", "outage-seconds", "2", "settle-seconds", "3"));
    assertThat(fromJson).isEqualTo(fromFlags);
    assertThat(fromJson.faults()).containsExactly(LabFault.NONE, LabFault.CRASH);
    assertThat(LabSettings.fromJson(new JsonObject().put("faults", "none, crash")).faults())
        .containsExactly(LabFault.NONE, LabFault.CRASH);
  }

  @Test
  void aBadJsonFieldIsRefusedByName() {
    for (JsonObject bad : List.of(new JsonObject().put("publishes", 3), new JsonObject().put("publishes", 1_000_001),
        new JsonObject().put("publishes", "40"), new JsonObject().put("publishes", 40.5),
        new JsonObject().putNull("publishes"))) {
      assertThatThrownBy(() -> LabSettings.fromJson(bad)).as(bad.encode()).isInstanceOfSatisfying(Refusal.class, r -> {
        assertThat(r.kind()).isEqualTo(Refusal.Kind.INVALID);
        assertThat(r.field()).isEqualTo("publishes");
      });
    }
    assertThatThrownBy(() -> LabSettings.fromJson(new JsonObject().put("faults", new JsonArray().add("crash").add(7))))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.field()).isEqualTo("faults"));
    assertThatThrownBy(() -> LabSettings.fromJson(new JsonObject().put("outage-seconds", 2)))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.field()).isEqualTo("outage-seconds"))
        .hasMessageContaining("outageSeconds");
    assertThatThrownBy(() -> LabSettings.fromFlags(Map.of("concurrency", "many")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("option --concurrency: ");
  }
}
