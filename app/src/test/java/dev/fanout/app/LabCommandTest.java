package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.lab.Design;
import dev.fanout.lab.LabFault;
import dev.fanout.lab.LabPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabCommandTest {

  @Test
  void labOptionsAreReadAndTheRestAreTheAppsOptions() {
    LabCommand.Command command = LabCommand.parse(new String[] {"--publishes", "50", "--faults=crash,all",
        "--backend", "kafka", "--json", "lab.json", "--partitions=3", "--settle-seconds", "7"}, Map.of());
    LabPlan plan = command.plan();
    assertThat(plan.publishes()).isEqualTo(50);
    assertThat(plan.faults()).containsExactly(LabFault.CRASH, LabFault.ALL);
    assertThat(plan.designs()).containsExactly(Design.values());
    assertThat(plan.settleSeconds()).isEqualTo(7);
    assertThat(command.options().backend()).isEqualTo("kafka");
    assertThat(command.options().partitions()).isEqualTo(3);
    assertThat(command.json()).isEqualTo(Path.of("lab.json").toAbsolutePath());
  }

  @Test
  void defaultsRunEveryFaultThroughEveryDesign() {
    LabCommand.Command command = LabCommand.parse(new String[0], Map.of());
    assertThat(command.plan().publishes()).isEqualTo(LabPlan.DEFAULT_PUBLISHES);
    assertThat(command.plan().faults()).isEqualTo(LabFault.DEFAULTS);
    assertThat(command.plan().designs()).isEqualTo(List.of(Design.values()));
    assertThat(command.json()).isNull();
    assertThat(command.options().backend()).isEqualTo("memory");
  }

  @Test
  void badValuesNameTheirOption() {
    assertThatThrownBy(() -> LabCommand.parse(new String[] {"--publishes", "2"}, Map.of()))
        .hasMessageContaining("--publishes");
    assertThatThrownBy(() -> LabCommand.parse(new String[] {"--faults", "flood"}, Map.of()))
        .hasMessageContaining("--faults").hasMessageContaining("known faults");
    assertThatThrownBy(() -> LabCommand.parse(new String[] {"--backend", "carrier-pigeon"}, Map.of()))
        .hasMessageContaining("--backend");
    assertThatThrownBy(() -> LabCommand.parse(new String[] {"--json"}, Map.of()))
        .hasMessageContaining("--json").hasMessageContaining("Missing required parameter");
  }
}
