package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LabResultTest {

  private static final LabPlan PLAN = LabPlan.of(60, List.of(LabFault.CRASH, LabFault.OUTAGE));

  private static RunResult run(Design design, LabFault fault, long missing, Long consistentAfter, Boolean keptGoing) {
    return new RunResult(design, fault, new RunResult.Workload(60, 58, 2, 1234.5),
        new RunResult.Consistency(missing, missing, 0, missing, missing, consistentAfter),
        keptGoing == null ? null : new RunResult.Outage(keptGoing ? 40 : 0, 40), null, new RunResult.DeadLetters(0, 0),
        null);
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

  // The text of both, pinned as it was when RunResult took its figures as 19 arguments: programs read the
  // JSON, people the table.
  @Test
  void theJsonAndTheTableKeepTheirExactText() {
    LabResult result = new LabResult(PLAN, "memory", "lucene", Instant.EPOCH, Instant.EPOCH.plusSeconds(9), List.of(
        new RunResult(Design.OUTBOX, LabFault.OUTAGE, new RunResult.Workload(60, 58, 2, 1234.56),
            new RunResult.Consistency(1, 2, 3, 4, 5, 300L), new RunResult.Outage(40, 41), true,
            new RunResult.DeadLetters(6, 7), null),
        new RunResult(Design.DUAL_WRITE, LabFault.CRASH, new RunResult.Workload(60, 58, 2, 99.94),
            new RunResult.Consistency(0, 0, 0, 0, 0, null), null, null, new RunResult.DeadLetters(0, 0), null),
        new RunResult(Design.ONE_GROUP, LabFault.OUTAGE, new RunResult.Workload(60, 60, 0, 10),
            new RunResult.Consistency(0, 0, 0, 0, 0, 500L), new RunResult.Outage(0, 40), false,
            new RunResult.DeadLetters(0, 0), null),
        RunResult.failed(Design.OUTBOX, LabFault.CRASH, 60, new IllegalStateException("no relay"))));
    String runs = result.toJson().getJsonArray("runs").stream().map(run -> ((JsonObject) run).encode())
        .collect(Collectors.joining("\n"));
    assertThat(runs).isEqualTo(String.join("\n",
        "{\"design\":\"3\",\"designName\":\"outbox, independent groups\",\"fault\":\"outage\","
            + "\"publishes\":60,\"acknowledged\":58,\"crashed\":2,\"missingFromSearch\":1,\"wrongCounts\":2,"
            + "\"countedTwice\":3,\"uncounted\":4,\"lost\":5,\"consistentAfterMillis\":300,"
            + "\"consistent\":false,\"keptGoing\":true,\"countedDuringOutage\":40,\"storedDuringOutage\":41,"
            + "\"memberCrashMidBatch\":true,\"deadLettered\":6,\"replayed\":7,\"publishesPerSecond\":1234.6,"
            + "\"error\":null}",
        "{\"design\":\"2\",\"designName\":\"dual write, two topics\",\"fault\":\"crash\","
            + "\"publishes\":60,\"acknowledged\":58,\"crashed\":2,\"missingFromSearch\":0,\"wrongCounts\":0,"
            + "\"countedTwice\":0,\"uncounted\":0,\"lost\":0,\"consistentAfterMillis\":null,"
            + "\"consistent\":true,\"keptGoing\":null,\"countedDuringOutage\":0,\"storedDuringOutage\":0,"
            + "\"memberCrashMidBatch\":null,\"deadLettered\":0,\"replayed\":0,\"publishesPerSecond\":99.9,"
            + "\"error\":null}",
        "{\"design\":\"1\",\"designName\":\"one group, index then count\",\"fault\":\"outage\","
            + "\"publishes\":60,\"acknowledged\":60,\"crashed\":0,\"missingFromSearch\":0,\"wrongCounts\":0,"
            + "\"countedTwice\":0,\"uncounted\":0,\"lost\":0,\"consistentAfterMillis\":500,"
            + "\"consistent\":true,\"keptGoing\":false,\"countedDuringOutage\":0,\"storedDuringOutage\":40,"
            + "\"memberCrashMidBatch\":false,\"deadLettered\":0,\"replayed\":0,\"publishesPerSecond\":10.0,"
            + "\"error\":null}",
        "{\"design\":\"3\",\"designName\":\"outbox, independent groups\",\"fault\":\"crash\","
            + "\"publishes\":60,\"acknowledged\":0,\"crashed\":0,\"missingFromSearch\":0,\"wrongCounts\":0,"
            + "\"countedTwice\":0,\"uncounted\":0,\"lost\":0,\"consistentAfterMillis\":null,"
            + "\"consistent\":false,\"keptGoing\":null,\"countedDuringOutage\":0,\"storedDuringOutage\":0,"
            + "\"memberCrashMidBatch\":null,\"deadLettered\":0,\"replayed\":0,\"publishesPerSecond\":0.0,"
            + "\"error\":\"IllegalStateException: no relay\"}"));
    assertThat(result.table().replace(System.lineSeparator(), "\n")).isEqualTo(String.join("\n",
        "lab: 60 publishes per run, backend memory, search lucene, settle bound 60 s",
        "fault        design   missing   wrong  counted  lost  consistent  unaffected publishes/s  crashed",
        "                    in search  counts    twice             after  kept going                     ",
        "outage       3              1       2        3     5       0.3 s   yes 40/41        1235        2",
        "crash        2              0       0        0     0       never           -         100        2",
        "outage       1              0       0        0     0       0.5 s     no 0/40          10        0",
        "crash        3      failed: IllegalStateException: no relay",
        "designs: 1 = one group, index then count; 2 = dual write, two topics; 3 = outbox, independent groups; ",
        "\"kept going\": events stored during the search outage that the counter counted before it ended.",
        ""));
  }
}
