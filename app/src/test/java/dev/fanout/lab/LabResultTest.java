package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabResultTest {

  private static final LabPlan PLAN = LabPlan.of(60, List.of(LabFault.CRASH, LabFault.OUTAGE));

  private static RunResult run(Design design, LabFault fault, long missing, Long consistentAfter, Boolean keptGoing) {
    return new RunResult(design, fault, 60, 58, 2, missing, missing, 0, missing, missing, consistentAfter, keptGoing,
        keptGoing == null ? 0 : keptGoing ? 40 : 0, keptGoing == null ? 0 : 40, null, 0, 0, 1234.5, null);
  }

  @Test
  void theTableHasOneLinePerFaultAndDesignAndSaysNever() {
    LabResult result = new LabResult(PLAN, "memory", "lucene", Instant.EPOCH, Instant.EPOCH.plusSeconds(9), List.of(
        run(Design.DUAL_WRITE, LabFault.CRASH, 2, null, null),
        run(Design.OUTBOX, LabFault.CRASH, 0, 300L, null),
        run(Design.ONE_GROUP, LabFault.OUTAGE, 0, 500L, false),
        RunResult.failed(Design.OUTBOX, LabFault.OUTAGE, 60, new IllegalStateException("no relay"))));
    String table = result.table();
    assertThat(table).contains("crash        2              2       2        0     2       never")
        .contains("crash        3              0       0        0     0       0.3 s")
        .contains("no 0/40")
        .contains("outage       3      failed: IllegalStateException: no relay");
    assertThat(result.run(Design.OUTBOX, LabFault.CRASH).consistent()).isTrue();
    assertThat(result.run(Design.DUAL_WRITE, LabFault.CRASH).consistent()).isFalse();
    assertThat(result.run(Design.OUTBOX, LabFault.OUTAGE).consistent()).isFalse();
  }

  @Test
  void theJsonCarriesThePlanAndEveryMeasure() {
    JsonObject json = new LabResult(PLAN, "kafka", "lucene", Instant.EPOCH, Instant.EPOCH,
        List.of(run(Design.DUAL_WRITE, LabFault.CRASH, 2, null, null))).toJson();
    assertThat(json.getJsonObject("plan").getJsonArray("faults").getList()).containsExactly("crash", "outage");
    JsonObject run = json.getJsonArray("runs").getJsonObject(0);
    assertThat(run.getString("design")).isEqualTo("2");
    assertThat(run.getString("fault")).isEqualTo("crash");
    assertThat(run.getLong("missingFromSearch")).isEqualTo(2);
    assertThat(run.getLong("lost")).isEqualTo(2);
    assertThat(run.getValue("consistentAfterMillis")).isNull();
    assertThat(run.getBoolean("consistent")).isFalse();
    assertThat(run.getDouble("publishesPerSecond")).isEqualTo(1234.5);
    assertThat(json.getString("backend")).isEqualTo("kafka");
  }
}
