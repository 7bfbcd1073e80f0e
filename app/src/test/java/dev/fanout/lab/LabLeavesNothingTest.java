package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutOptions;
import dev.fanout.app.LabCommand;
import dev.fanout.app.RunningApp;
import dev.fanout.db.TestDatabase;
import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lab on a Kafka and a PostgreSQL that outlive it, as an app's are: after a lab, and after a lab stopped
 * mid-run, no lab topic, group or schema is left; and a lab's relay leads its run's outbox even while another
 * instance's lab relay holds the lock the app's relays share.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabLeavesNothingTest {

  /** The advisory lock key every relay used before runs had keys of their own ("FanoutOB"). */
  private static final long SHARED_RELAY_LOCK = 0x46616e6f75744f42L;

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  private Path dir;
  private EmbeddedKafkaCluster kafka;
  private Vertx vertx;
  private EventStream observer;

  @BeforeAll
  void startKafka() throws Exception {
    dir = Files.createTempDirectory("fanout-LabLeavesNothingTest");
    kafka = new EmbeddedKafkaCluster(EmbeddedKafkaCluster.Config.of(1).withLogDir(dir.resolve("kafka")));
    kafka.start();
    vertx = Vertx.vertx();
    observer = RunningApp.await(StreamBackends.open(vertx, "kafka",
        new JsonObject().put(StreamBackends.provider("kafka").serversKey(), kafka.bootstrapServers())));
  }

  @AfterAll
  void stopKafka() throws Exception {
    try {
      if (observer != null) {
        RunningApp.await(observer.close());
      }
      RunningApp.await(vertx.close());
      if (kafka != null) {
        kafka.close();
      }
    } finally {
      RunningApp.deleteRecursively(dir);
    }
  }

  private LabCommand.Setup setUp() throws Exception {
    PgConnectOptions pg = db.database().connectOptions();
    String url = "postgresql://" + pg.getUser() + (pg.getPassword() == null ? "" : ":" + pg.getPassword()) + "@"
        + pg.getHost() + ":" + pg.getPort() + "/" + pg.getDatabase();
    FanoutOptions options = FanoutOptions.parse(new String[] {"--data-dir", dir.resolve("data").toString(),
        "--backend", "kafka", "--kafka-bootstrap", kafka.bootstrapServers(), "--pg-url", url, "--partitions", "4",
        "--retry-backoff-ms", "20", "--breaker-wait-ms", "500"}, Map.of());
    return RunningApp.await(LabCommand.setUp(vertx, options));
  }

  @Test
  void aLabLeavesNoTopicGroupOrSchemaBehind() throws Exception {
    LabCommand.Setup setup = setUp();
    try {
      LabPlan plan = LabPlan.of(30, List.of(LabFault.NONE)).withSettleSeconds(20);
      LabResult result = RunningApp.await(setup.lab().run(plan));
      assertThat(result.toJson().getJsonArray("runs")).hasSize(3);
      assertThat(labTopics()).as("lab topics left on Kafka").isEmpty();
      assertThat(labGroups()).as("lab groups left on Kafka").isEmpty();
      assertThat(labSchemas()).as("lab schemas left in " + "fanout_lab").isEmpty();
    } finally {
      RunningApp.await(setup.close());
    }
  }

  @Test
  void aLabStoppedMidRunLeavesNoTopicGroupOrSchemaBehind() throws Exception {
    LabCommand.Setup setup = setUp();
    Lab lab = setup.lab();
    LabPlan plan = LabPlan.of(60, List.of(LabFault.OUTAGE)).withDesigns(List.of(Design.OUTBOX, Design.DUAL_WRITE))
        .withOutageSeconds(60).withSettleSeconds(60);
    Future<LabResult> running = lab.run(plan);
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
        "waiting out the search outage".equals(lab.progress().getString("phase")));
    assertThat(labTopics()).as("the running lab's topics").isNotEmpty();
    RunningApp.await(setup.close());
    assertThat(labTopics()).as("lab topics left on Kafka").isEmpty();
    assertThat(labGroups()).as("lab groups left on Kafka").isEmpty();
    assertThat(labSchemas()).as("lab schemas left in fanout_lab").isEmpty();
    assertThat(RunningApp.failure(running)).as("the stopped lab's result").isNotNull();
  }

  @Test
  void aLabsRelayLeadsItsRunWhileAnotherInstancesLabHoldsTheSharedLock() throws Exception {
    LabCommand.Setup setup = setUp();
    PgConnection other = null;
    try {
      // another instance's lab relay, leading on the lab database under the key all relays shared
      other = RunningApp.await(PgConnection.connect(vertx, labDatabase()));
      assertThat(RunningApp.await(other.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked")
          .execute(Tuple.of(SHARED_RELAY_LOCK))).iterator().next().getBoolean("locked")).isTrue();
      LabPlan plan = LabPlan.of(30, List.of(LabFault.NONE)).withDesigns(List.of(Design.OUTBOX)).withSettleSeconds(10);
      RunResult run = RunningApp.await(setup.lab().run(plan)).run(Design.OUTBOX, LabFault.NONE);
      assertThat(run.consistent()).as(run.toJson().encode()).isTrue();
      assertThat(run.consistency().lost()).isZero();
    } finally {
      if (other != null) {
        RunningApp.await(other.close());
      }
      RunningApp.await(setup.close());
    }
  }

  @Test
  void whatAKilledLabLeftGoesWhenTheNextLabStartsAndARunningLabsStays() throws Exception {
    // a killed lab's scratch directory (made before scratch directories were locked: no lock file)
    Path abandoned = Files.createDirectories(dir.resolve("data").resolve("lab-killed").resolve("search"));
    LabCommand.Setup setup = setUp();
    var client = PgBuilder.client().connectingTo(labDatabase()).using(vertx).build();
    PgConnection running = null;
    try {
      assertThat(abandoned.getParent()).as("the killed lab's scratch directory").doesNotExist();
      // what a killed lab (dead1) and a lab running on another instance (live1) have on the shared parts
      for (String lab : List.of("dead1", "live1")) {
        RunningApp.await(observer.admin().createTopic("lab-" + lab + "-2-d3-events", 2, 1));
        RunningApp.await(client.query("CREATE SCHEMA lab_" + lab + "_2").execute());
      }
      running = RunningApp.await(PgConnection.connect(vertx, labDatabase()));
      RunningApp.await(running.preparedQuery("SELECT pg_advisory_lock($1)").execute(Tuple.of(Leftovers.lockKey("live1"))));

      LabPlan plan = LabPlan.of(30, List.of(LabFault.NONE)).withDesigns(List.of(Design.OUTBOX)).withSettleSeconds(10);
      RunResult run = RunningApp.await(setup.lab().run(plan)).run(Design.OUTBOX, LabFault.NONE);
      assertThat(run.consistent()).as(run.toJson().encode()).isTrue();

      assertThat(labTopics()).as("only the running lab's topic stays").containsExactly("lab-live1-2-d3-events");
      assertThat(labSchemas()).as("only the running lab's schema stays").containsExactly("lab_live1_2");
    } finally {
      if (running != null) {
        RunningApp.await(running.close());
      }
      for (String topic : List.of("lab-live1-2-d3-events", "lab-dead1-2-d3-events")) {
        RunningApp.await(observer.admin().deleteTopic(topic).recover(e -> Future.succeededFuture()));
      }
      // the other tests find no lab topic of this one
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
          labTopics().stream().noneMatch(t -> t.startsWith("lab-live1-") || t.startsWith("lab-dead1-")));
      RunningApp.await(client.query("DROP SCHEMA IF EXISTS lab_live1_2").execute());
      RunningApp.await(client.query("DROP SCHEMA IF EXISTS lab_dead1_2").execute());
      RunningApp.await(client.close());
      RunningApp.await(setup.close());
    }
  }

  private List<String> labTopics() throws Exception {
    List<String> names = new ArrayList<>();
    for (TopicDescription topic : RunningApp.await(observer.admin().listTopics())) {
      if (topic.name().startsWith("lab-")) {
        names.add(topic.name());
      }
    }
    return names;
  }

  private List<String> labGroups() throws Exception {
    return RunningApp.await(observer.admin().listGroups()).stream().filter(g -> g.startsWith("lab-")).toList();
  }

  private PgConnectOptions labDatabase() {
    return new PgConnectOptions(db.database().connectOptions()).setDatabase("fanout_lab");
  }

  private List<String> labSchemas() throws Exception {
    List<String> names = new ArrayList<>();
    var client = PgBuilder.client().connectingTo(labDatabase()).using(vertx).build();
    try {
      RunningApp.await(client.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'lab\\_%'").execute())
          .forEach(row -> names.add(row.getString(0)));
    } finally {
      RunningApp.await(client.close());
    }
    return names;
  }
}
