package dev.fanout.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutApp;
import dev.fanout.app.RunningApp;
import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.search.opensearch.OpenSearchServer;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two instances on one Kafka broker whose events topic keeps records for two seconds only, one PostgreSQL and
 * one OpenSearch (so that the audit of either sees every instance's indexing). Both sinks of the
 * instance that does not lead the relay are down until the log start has passed its members' committed
 * offsets; its members, once back, move to the log start by themselves (the reset is seen only in that
 * process). The leader on the other instance still sends again what the groups lost, so every blog ends up
 * searchable and counted, with no restart and no repair, and no trace ever says an event the group did not
 * handle was processed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionGapKafkaTest {

  private static final int PARTITIONS = 4;

  private EmbeddedKafkaCluster kafka;
  private OpenSearchServer opensearch;
  private Path dirA;
  private Path dirB;
  private RunningApp a;
  private RunningApp b;

  @BeforeAll
  void start() throws Exception {
    CompletableFuture<OpenSearchServer> search = CompletableFuture.supplyAsync(() -> {
      try {
        return OpenSearchServer.start();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // the broker looks for expired segments often, so the short retention set below acts within a second
    kafka = new EmbeddedKafkaCluster(EmbeddedKafkaCluster.Config.of(1)
        .withBrokerSettings(Map.of("log.retention.check.interval.ms", "200")));
    kafka.start();
    opensearch = search.get(180, TimeUnit.SECONDS);
    String[] flags = {"--backend", "kafka", "--kafka-bootstrap", kafka.bootstrapServers(),
        "--search", "opensearch", "--opensearch-url", opensearch.baseUrl(),
        "--partitions", Integer.toString(PARTITIONS), "--publish-rate-limit", "0", "--retry-backoff-ms", "10",
        "--retry-attempts", "1", "--breaker-wait-ms", "300"};
    dirA = Files.createTempDirectory("fanout-gap-a");
    dirB = Files.createTempDirectory("fanout-gap-b");
    a = RunningApp.start(dirA, flags);
    // the first instance holds the relay's lock before the second starts: the second never leads
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
        a.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") == 1);
    PgConnectOptions pg = a.app().database().connectOptions();
    String pgUrl = "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@" + pg.getHost() + ":" + pg.getPort()
        + "/" + pg.getDatabase();
    List<String> withPg = new ArrayList<>(List.of(flags));
    withPg.addAll(List.of("--pg-url", pgUrl));
    b = RunningApp.start(dirB, withPg.toArray(String[]::new));
    Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      for (String group : FanoutApp.GROUPS) {
        JsonArray members = a.group(group).getJsonArray("members");
        assertThat(members).as(group).hasSize(2);
        assertThat(members).allMatch(m -> ((JsonObject) m).getJsonArray("partitions").size() == PARTITIONS / 2);
      }
    });
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, FanoutApp.EVENTS_TOPIC);
      admin.incrementalAlterConfigs(Map.of(topic, List.of(
          new AlterConfigOp(new ConfigEntry("retention.ms", "2000"), AlterConfigOp.OpType.SET),
          new AlterConfigOp(new ConfigEntry("segment.ms", "200"), AlterConfigOp.OpType.SET)))).all().get();
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable closeable : new AutoCloseable[] {b, a, opensearch, kafka}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        System.err.println("closing " + closeable + ": " + e);
      }
    }
    RunningApp.deleteRecursively(dirA);
    RunningApp.deleteRecursively(dirB);
  }

  @Test
  void whatTheOtherInstancesMembersLostToRetentionIsSentAgainByTheLeader() throws Exception {
    List<String> events = new ArrayList<>();
    AtomicInteger published = new AtomicInteger();
    // every group commits in every partition first, so that an offset is there to fall behind the log start
    for (int author = 0; author < 16; author++, published.incrementAndGet()) {
      events.add(publish("gap-" + author, "first"));
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      for (String group : FanoutApp.GROUPS) {
        assertThat(a.group(group).getJsonArray("partitions"))
            .allMatch(p -> ((JsonObject) p).getLong("committed") >= 0 && ((JsonObject) p).getLong("lag") == 0);
      }
    });
    for (String sink : FanoutApp.GROUPS) {
      HttpResponse<String> outage = b.admin("POST", "/api/admin/faults",
          new JsonObject().put("sink", sink).put("mode", "outage").put("seconds", 600).encode());
      assertThat(outage.statusCode()).as(outage.body()).isEqualTo(201);
    }
    // publishing keeps segments rolling; the stalled partitions' committed offsets fall behind the log start
    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
      for (int i = 0; i < 10; i++) {
        int n = published.getAndIncrement();
        events.add(publish("gap-" + n % 16, "kept " + n));
      }
      return n(lostPartitions("search")) == PARTITIONS / 2 && n(lostPartitions("counter")) == PARTITIONS / 2;
    });

    assertThat(b.admin("DELETE", "/api/admin/faults", null).statusCode()).isEqualTo(200);
    int all = published.get();
    try {
      awaitEveryBlog(all);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // what the healer had to go on, to tell a gap that was not made up from one that was never seen
      System.out.println("gap test: search " + a.group("search").encode() + "\ncounter " + a.group("counter").encode()
          + "\ntopics " + RunningApp.await(a.app().stream().admin().listTopics()) + "\nunhandled "
          + a.queryMap("SELECT p.group_name || ' p' || o.stream_partition || ' @' || o.stream_offset || ' sent '"
          + " || (o.sent_at IS NOT NULL), 1::bigint"
          + " FROM outbox o CROSS JOIN (VALUES ('search'), ('counter')) AS p(group_name) WHERE NOT EXISTS"
          + " (SELECT 1 FROM processed_events e WHERE e.event_id = o.event_id AND e.group_name = p.group_name)"));
      throw e;
    }
    // the premise: the resets happened where the relay does not lead
    assertThat(b.group("search").getLong("offsetResets")).isPositive();
    assertThat(a.group("search").getLong("offsetResets")).isZero();

    for (String event : events) {
      JsonObject trace = a.json(a.get("/api/events/" + event));
      for (Object g : trace.getJsonArray("groups")) {
        JsonObject group = (JsonObject) g;
        assertThat(group.getString("status")).as(trace.encode()).isEqualTo("processed");
        assertThat(group.getString("processedAt")).as("handled, not passed over: " + trace.encode()).isNotNull();
      }
    }
  }

  private void awaitEveryBlog(int all) {
    Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      JsonObject audit = a.audit();
      assertThat(audit.getJsonArray("discrepancies")).as("the audit after the gap").isEmpty();
      assertThat(audit.getJsonObject("checked").getLong("indexed")).isEqualTo(all);
      long counted = 0;
      for (int author = 0; author < 16; author++) {
        counted += a.json(a.get("/api/authors/gap-" + author)).getLong("blogCount");
      }
      assertThat(counted).isEqualTo(all);
    });
  }

  private String publish(String author, String title) throws Exception {
    HttpResponse<String> created = a.write("POST", "/api/blogs", author,
        new JsonObject().put("authorId", author).put("title", title).put("body", "b"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return a.json(created).getString("eventId");
  }

  private static int n(Map<Integer, Long> lost) {
    return lost.size();
  }

  // per partition whose committed offset of the group is behind the log start: the committed offset
  private Map<Integer, Long> lostPartitions(String group) throws Exception {
    Map<Integer, Long> start = new HashMap<>();
    for (TopicDescription topic : RunningApp.await(a.app().stream().admin().listTopics())) {
      if (topic.name().equals(FanoutApp.EVENTS_TOPIC)) {
        topic.partitions().forEach(p -> start.put(p.partition(), p.startOffset()));
      }
    }
    Map<Integer, Long> lost = new HashMap<>();
    for (Object p : a.group(group).getJsonArray("partitions")) {
      JsonObject partition = (JsonObject) p;
      long committed = partition.getLong("committed");
      if (committed >= 0 && committed < start.get(partition.getInteger("partition"))) {
        lost.put(partition.getInteger("partition"), committed);
      }
    }
    return lost;
  }
}
