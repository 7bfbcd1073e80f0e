package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.BlogEvent;
import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.search.opensearch.OpenSearchServer;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two app processes against one Kafka cluster (three brokers, replication 3, min.insync.replicas 2), one
 * PostgreSQL and one OpenSearch, under a publish load: each group's partitions are split across both;
 * a broker is stopped, then one app is killed with {@code kill -9}; the other takes over its partitions.
 * Nothing acknowledged is lost, nothing is counted twice, every blog's events arrive in version order and
 * the audit ends empty.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaleOutTest {

  private static final int PARTITIONS = 6;

  private EmbeddedKafkaCluster kafka;
  private EmbeddedPostgres postgres;
  private OpenSearchServer opensearch;
  private Path dirA;
  private Path dirB;
  private AppProcess a;
  private AppProcess b;
  private final Vertx vertx = Vertx.vertx();

  @BeforeAll
  void start() throws Exception {
    CompletableFuture<OpenSearchServer> search = CompletableFuture.supplyAsync(() -> {
      try {
        return OpenSearchServer.start();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    kafka = new EmbeddedKafkaCluster(EmbeddedKafkaCluster.Config.of(3)
        .withBrokerSettings(Map.of("min.insync.replicas", "2")));
    kafka.start();
    postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
        .setServerConfig("listen_addresses", "127.0.0.1").start();
    opensearch = search.get(180, TimeUnit.SECONDS);
    String[] flags = {"--backend", "kafka", "--kafka-bootstrap", kafka.bootstrapServers(), "--replication-factor", "3",
        "--pg-url", "postgresql://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/postgres",
        "--search", "opensearch", "--opensearch-url", opensearch.baseUrl(), "--partitions", Integer.toString(PARTITIONS),
        "--publish-rate-limit", "0"};
    dirA = Files.createTempDirectory("fanout-scale-a");
    dirB = Files.createTempDirectory("fanout-scale-b");
    a = AppProcess.start(dirA, flags);
    b = AppProcess.start(dirB, flags);
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable closeable : new AutoCloseable[] {a, b, opensearch, postgres, kafka}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        System.err.println("closing " + closeable + ": " + e);
      }
    }
    vertx.close();
    RunningApp.deleteRecursively(dirA);
    RunningApp.deleteRecursively(dirB);
  }

  @Test
  void partitionsAreSplitAndTheSurvivorTakesOverLosingNothing() throws Exception {
    EventStream probeStream = RunningApp.await(StreamBackends.open(vertx, "kafka",
        new JsonObject().put("bootstrap.servers", kafka.bootstrapServers())));
    List<BlogEvent> seen = new CopyOnWriteArrayList<>();
    GroupMember probe = RunningApp.await(probeStream.subscribe(
        SubscribeOptions.of(FanoutApp.EVENTS_TOPIC, "order-probe"), batch -> {
          for (StreamRecord record : batch) {
            seen.add(BlogEvent.decode(record.value()));
          }
          return Future.succeededFuture();
        }));

    // both processes own half of each group's partitions
    Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      for (String group : FanoutApp.GROUPS) {
        JsonArray members = a.group(group).getJsonArray("members");
        assertThat(members).hasSize(2);
        assertThat(members).allMatch(m -> ((JsonObject) m).getJsonArray("partitions").size() == PARTITIONS / 2);
      }
    });
    assertThat(a.log().contains("outbox relay is the leader") ^ b.log().contains("outbox relay is the leader"))
        .as("one relay at a time").isTrue();

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger updates = new AtomicInteger();
    AtomicBoolean aKilled = new AtomicBoolean();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    for (int c = 0; c < 4; c++) {
      int client = c;
      clients.submit(() -> {
        for (int i = 0; i < 100_000 && !Thread.currentThread().isInterrupted(); i++) {
          AppProcess target = client % 2 == 0 && !aKilled.get() ? a : b;
          try {
            String author = "scale-" + (i % 13);
            HttpResponse<String> published = target.publish(author, "c" + client + " #" + i);
            if (published.statusCode() == 201) {
              String blogId = new JsonObject(published.body()).getString("blogId");
              acknowledged.add(blogId);
              if (i % 5 == 0 && target.update(blogId, author, "updated")) {
                updates.incrementAndGet();
              }
            }
          } catch (Exception e) {
            if (target == b || Thread.currentThread().isInterrupted()) {
              return null;
            }
          }
        }
        return null;
      });
    }
    try {
      Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= 200);
      kafka.stopNode(2);
      Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= 400);
      aKilled.set(true);
      a.kill();
      Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        for (String group : FanoutApp.GROUPS) {
          JsonArray members = b.group(group).getJsonArray("members");
          assertThat(members).as(group).hasSize(1);
          assertThat(members.getJsonObject(0).getJsonArray("partitions")).hasSize(PARTITIONS);
        }
      });
      int atTakeOver = acknowledged.size();
      Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= atTakeOver + 200);
    } finally {
      clients.shutdownNow();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }

    Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      JsonObject counter = b.group("counter");
      JsonObject search = b.group("search");
      assertThat(counter.getLong("lag")).isZero();
      assertThat(search.getLong("lag")).isZero();
      assertThat(b.audit().getJsonArray("discrepancies")).isEmpty();
    });
    assertThat(b.missingBlogs(acknowledged)).as("acknowledged but lost").isEmpty();
    long counted = 0;
    for (int author = 0; author < 13; author++) {
      counted += b.getJson("/api/authors/scale-" + author).getLong("blogCount");
    }
    assertThat(counted).as("every acknowledged blog counted once").isGreaterThanOrEqualTo(acknowledged.size());
    assertThat(counted).isEqualTo(b.audit().getJsonObject("checked").getLong("blogs"));

    // the order check below means something only when the probe saw what was acknowledged
    Awaitility.await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
      Set<String> probed = new HashSet<>();
      seen.forEach(event -> probed.add(event.blogId().toString()));
      assertThat(probed).as("blogs whose events the probe saw").containsAll(acknowledged);
    });
    // the first arrival of each blog's events comes in version order
    assertThat(EventOrder.violations(seen)).isEmpty();
    assertThat(updates.get()).isPositive();
    RunningApp.await(probe.leave());
    RunningApp.await(probeStream.close());
    System.out.printf("scale-out: %d acknowledged blogs, %d updates, %d events seen by the probe%n",
        acknowledged.size(), updates.get(), seen.stream().map(BlogEvent::eventId).distinct().count());
  }
}
