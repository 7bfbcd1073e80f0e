package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultTest {

  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  private static Fault parse(String json) {
    return Fault.fromJson(new JsonObject(json), NOW, Set.of("counter", "search"));
  }

  @Test
  void readsTheThreeModes() {
    assertThat(parse("{\"sink\": \"search\", \"mode\": \"outage\", \"seconds\": 30}"))
        .isEqualTo(new Fault("search", Fault.Mode.OUTAGE, 1.0, 0, NOW.plusSeconds(30)));
    assertThat(parse("{\"sink\": \"search\", \"mode\": \"fail\", \"rate\": 0.3}"))
        .isEqualTo(new Fault("search", Fault.Mode.FAIL, 0.3, 0, null));
    assertThat(parse("{\"sink\": \"counter\", \"mode\": \"latency\", \"millis\": 200}").toJson())
        .isEqualTo(new JsonObject().put("sink", "counter").put("mode", "latency").put("millis", 200L).putNull("until"));
  }

  @Test
  void refusesWhatItCannotDoNamingTheField() {
    assertThatThrownBy(() -> parse("{\"sink\": \"mail\", \"mode\": \"outage\", \"seconds\": 1}")).hasMessageStartingWith("sink:");
    assertThatThrownBy(() -> parse("{\"sink\": \"search\", \"mode\": \"melt\"}")).hasMessageStartingWith("mode:");
    assertThatThrownBy(() -> parse("{\"sink\": \"search\", \"mode\": \"outage\"}")).hasMessageStartingWith("seconds:");
    assertThatThrownBy(() -> parse("{\"sink\": \"search\", \"mode\": \"outage\", \"seconds\": 1.5}")).hasMessageStartingWith("seconds:");
    assertThatThrownBy(() -> parse("{\"sink\": \"search\", \"mode\": \"fail\", \"rate\": 1.5}")).hasMessageStartingWith("rate:");
    assertThatThrownBy(() -> parse("{\"sink\": \"search\", \"mode\": \"fail\", \"rate\": \"all\"}")).hasMessageStartingWith("rate:");
    assertThatThrownBy(() -> parse("{\"sink\": \"search\", \"mode\": \"latency\"}")).hasMessageStartingWith("millis:");
    assertThatThrownBy(() -> parse("{\"sink\": \"search\", \"mode\": \"latency\", \"millis\": 600000}")).hasMessageStartingWith("millis:");
  }
}
