package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lab inside a running app, as a route would start it: it runs on the app's database server and backend
 * without touching the app's own tables, topics or relay, and tells its progress and result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabInAppTest {

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "4", "--retry-backoff-ms", "20", "--breaker-wait-ms", "500");

  @Test
  void aLabRunsBesideTheAppAndLeavesItAlone() throws Exception {
    Lab lab = RunningApp.await(app.app().lab());
    // the lab builds its designs with the settings the app's own factory was made with (design 3 with Design3's)
    assertThat(lab.parts().app()).isEqualTo(app.app().factory().settings());
    assertThat(lab.parts().app().partitions()).isEqualTo(4);
    assertThat(lab.progress().getBoolean("running")).isFalse();
    LabPlan plan = LabPlan.of(40, List.of(LabFault.OUTAGE)).withDesigns(List.of(Design.OUTBOX)).withOutageSeconds(1)
        .withSettleSeconds(20);
    var running = lab.run(plan);
    assertThat(lab.progress().getBoolean("running")).isTrue();
    LabResult result = RunningApp.await(running);
    RunResult run = result.run(Design.OUTBOX, LabFault.OUTAGE);
    assertThat(run.consistent()).as(run.toJson().encode()).isTrue();
    assertThat(run.keptGoing()).isTrue();
    assertThat(lab.progress().getString("phase")).isEqualTo("done");
    assertThat(lab.lastResult()).isSameAs(result);
    assertThat(result.toJson().getJsonArray("runs")).hasSize(1);

    // the app's own relay still leads its database, and its groups still count
    app.publish("after-the-lab", "the app goes on");
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(app.json(app.get("/api/authors/after-the-lab")).getLong("blogCount")).isEqualTo(1));
    assertThat(app.queryLong("SELECT count(*) FROM blogs WHERE author_id LIKE 'lab-%'")).isZero();
  }
}
