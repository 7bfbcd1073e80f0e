package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutOptions;
import dev.fanout.app.LabCommand;
import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The lab's qualitative outcomes, on the real parts (embedded PostgreSQL, the in-memory stream, Lucene) as
 * the CLI starts them. Faults strike at publish indexes, never at moments; what is asserted does not depend
 * on timing: design 3 ends with nothing missing, miscounted or lost under every fault, and its counter
 * counts during the search outage; design 2 under the publisher's crash ends short by exactly the crashed
 * events and never converges; design 1 counts nothing published during the outage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabTest {

  private static final int PUBLISHES = 80;

  private Vertx vertx;
  private Path dataDir;
  private LabCommand.Setup setup;

  @BeforeAll
  void startParts() throws Exception {
    dataDir = Files.createTempDirectory("fanout-LabTest");
    vertx = Vertx.vertx();
    FanoutOptions options = FanoutOptions.parse(new String[] {"--data-dir", dataDir.toString(), "--partitions", "4",
        "--retry-backoff-ms", "20", "--breaker-wait-ms", "500"}, Map.of());
    setup = RunningApp.await(LabCommand.setUp(vertx, options));
  }

  @AfterAll
  void stopParts() throws Exception {
    try {
      if (setup != null) {
        RunningApp.await(setup.close());
      }
      RunningApp.await(vertx.close());
    } finally {
      RunningApp.deleteRecursively(dataDir);
    }
  }

  private LabResult run(List<LabFault> faults, Design design, int settleSeconds) throws Exception {
    LabPlan plan = LabPlan.of(PUBLISHES, faults).withDesigns(List.of(design)).withOutageSeconds(2)
        .withSettleSeconds(settleSeconds);
    LabResult result = RunningApp.await(setup.lab().run(plan));
    System.out.print(result.table());
    return result;
  }

  @Test
  void fanoutEndsConsistentUnderEveryFaultAndItsCounterKeepsGoingDuringTheOutage() throws Exception {
    LabResult result = run(LabFault.DEFAULTS, Design.OUTBOX, 30);
    assertThat(result.runs()).hasSize(LabFault.DEFAULTS.size());
    for (RunResult run : result.runs()) {
      assertThat(run.error()).as(run.fault().cliName()).isNull();
      assertThat(run.consistent()).as(run.toJson().encode()).isTrue();
      assertThat(run.consistency().consistentAfterMillis()).as(run.toJson().encode()).isNotNull();
      assertThat(run.consistency().lost()).isZero();
      if (run.fault().includes(LabFault.POISON)) {
        assertThat(run.deadLetters().deadLettered())
            .as("the poison was dead-lettered (again when a crash abandoned its batch)").isPositive();
        assertThat(run.deadLetters().replayed()).isEqualTo(run.deadLetters().deadLettered());
      }
      if (run.fault().includes(LabFault.MEMBER_CRASH)) {
        assertThat(run.memberCrashMidBatch()).as(run.toJson().encode()).isNotNull();
      }
      if (run.fault().includes(LabFault.OUTAGE)) {
        assertThat(run.outage().stored()).as(run.toJson().encode()).isPositive();
        assertThat(run.keptGoing()).as(run.toJson().encode()).isTrue();
      } else {
        assertThat(run.keptGoing()).isNull();
      }
    }
    FaultPoints points = new LabPlan(PUBLISHES, List.of(LabFault.CRASH), List.of(Design.OUTBOX), 0, 1, 20, 1, 1).points();
    assertThat(result.run(Design.OUTBOX, LabFault.CRASH).workload().crashed()).isEqualTo(points.crashes());
  }

  @Test
  void dualWriteUnderThePublishersCrashEndsShortByExactlyTheCrashedEvents() throws Exception {
    RunResult run = run(List.of(LabFault.CRASH), Design.DUAL_WRITE, 3).run(Design.DUAL_WRITE, LabFault.CRASH);
    long crashed = new LabPlan(PUBLISHES, List.of(LabFault.CRASH), List.of(Design.DUAL_WRITE), 0, 1, 20, 1, 1)
        .points().crashes();
    assertThat(crashed).isPositive();
    assertThat(run.error()).isNull();
    assertThat(run.workload().crashed()).isEqualTo(crashed);
    assertThat(run.workload().acknowledged()).isEqualTo(PUBLISHES - crashed);
    assertThat(run.consistency().lost()).isEqualTo(crashed);
    assertThat(run.consistency().missingFromSearch()).isEqualTo(crashed);
    assertThat(run.consistency().uncounted()).isEqualTo(crashed);
    assertThat(run.consistency().countedTwice()).isZero();
    assertThat(run.consistency().wrongCounts()).isPositive();
    assertThat(run.consistency().consistentAfterMillis()).as("never consistent").isNull();
  }

  @Test
  void oneGroupStopsCountingDuringTheSearchOutageThenCatchesUp() throws Exception {
    RunResult run = run(List.of(LabFault.OUTAGE), Design.ONE_GROUP, 30).run(Design.ONE_GROUP, LabFault.OUTAGE);
    assertThat(run.error()).isNull();
    assertThat(run.outage().stored()).isPositive();
    assertThat(run.outage().counted()).isZero();
    assertThat(run.keptGoing()).isFalse();
    assertThat(run.consistent()).as(run.toJson().encode()).isTrue();
  }
}
