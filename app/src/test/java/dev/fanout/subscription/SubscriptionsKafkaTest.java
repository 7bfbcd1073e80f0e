package dev.fanout.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.app.RunningApp;
import dev.fanout.stream.GroupDescription;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Subscriptions on two app instances sharing one Kafka and one PostgreSQL: one created on either is served
 * by both as one consumer group, each event reaches the receiver once in order per author, a pause or a
 * deletion on one holds on both, and a slow subscription leaves the counter and search untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscriptionsKafkaTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  /** The issue's bound for a change on one instance to hold on every instance. */
  private static final Duration CLUSTER_WIDE = Duration.ofSeconds(5);

  private Path dirA;
  private Path dirB;
  private RunningApp a;
  private RunningApp b;
  private Vertx vertx;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    dirA = Files.createTempDirectory("fanout-subs-a");
    dirB = Files.createTempDirectory("fanout-subs-b");
    String[] flags = {"--backend", "kafka", "--partitions", "4", "--subscriptions-allow-private",
        "--retry-backoff-ms", "20", "--breaker-wait-ms", "500"};
    a = RunningApp.start(dirA, flags);
    PgConnectOptions pg = a.app().database().connectOptions();
    String pgUrl = "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@" + pg.getHost() + ":" + pg.getPort()
        + "/" + pg.getDatabase();
    List<String> bFlags = new ArrayList<>(List.of(flags));
    bFlags.addAll(List.of("--kafka-bootstrap", a.json(a.get("/api/info")).getString("bootstrapServers"),
        "--pg-url", pgUrl));
    b = RunningApp.start(dirB, bFlags.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (b != null) {
        b.close();
      }
      if (a != null) {
        a.close();
      }
      RunningApp.await(vertx.close());
    } finally {
      RunningApp.deleteRecursively(dirA);
      RunningApp.deleteRecursively(dirB);
    }
  }

  private static void create(RunningApp on, String name, TestReceiver receiver, JsonObject extra) throws Exception {
    HttpResponse<String> created = on.admin("POST", "/api/admin/subscriptions",
        new JsonObject().put("name", name).put("url", receiver.url()).mergeIn(extra).encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    receiver.secret(on.json(created).getString("secret"));
  }

  private static JsonObject entry(RunningApp on, String name) throws Exception {
    HttpResponse<String> got = on.admin("GET", "/api/admin/subscriptions/" + name, null);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    return on.json(got);
  }

  private GroupDescription described(String group) throws Exception {
    return RunningApp.await(a.app().stream().admin().describeGroup(group));
  }

  /** Both instances run the group, with one member each, and Kafka sees those two members in it. */
  private void servedByBoth(String group, Duration within) {
    await().atMost(within).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
      assertThat(a.figures(group).getInteger("localMembers")).isEqualTo(1);
      assertThat(b.figures(group).getInteger("localMembers")).isEqualTo(1);
      assertThat(described(group).members()).hasSize(2);
    });
  }

  /** The two members each own partitions: the rebalance that let the second in is over. */
  private void settled(String group) {
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
        assertThat(described(group).members()).hasSize(2).noneMatch(GroupDescription.Member::idle));
  }

  private static String publish(RunningApp on, String author, String title) throws Exception {
    return on.publish(author, title);
  }

  @Test
  void createdOnOneServedByBothAsOneGroupOnceEachInOrderPerAuthor() throws Exception {
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      create(a, "both", receiver, new JsonObject());
      servedByBoth("sub-both", CLUSTER_WIDE);
      settled("sub-both");

      Map<String, List<String>> written = new TreeMap<>();
      for (int i = 0; i < 40; i++) {
        String author = "both-" + (i % 10);
        written.computeIfAbsent(author, x -> new ArrayList<>()).add(publish(i % 2 == 0 ? a : b, author, "both " + i));
      }
      await().atMost(WAIT).until(() -> receiver.accepted().size() >= 40);
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> receiver.all().size() == 40);
      List<TestReceiver.Delivery> got = receiver.accepted();
      assertThat(got).allMatch(TestReceiver.Delivery::verified);
      assertThat(got.stream().map(TestReceiver.Delivery::id)).as("once each, no rebalance since both joined")
          .doesNotHaveDuplicates();
      Map<String, List<String>> order = new TreeMap<>();
      got.forEach(d -> order.computeIfAbsent(d.author(), x -> new ArrayList<>()).add(d.blogId()));
      assertThat(order).as("each author's events in the order written").isEqualTo(written);
      // each instance delivered its partitions' share
      assertThat(a.figures("sub-both").getLong("processed")).isPositive();
      assertThat(b.figures("sub-both").getLong("processed")).isPositive();
      assertThat(a.admin("DELETE", "/api/admin/subscriptions/both", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aPauseAndADeletionOnOneHoldOnBoth() throws Exception {
    ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      receiver.answering(d -> {
        arrivals.add(System.nanoTime());
        return TestReceiver.Answer.ok();
      });
      create(a, "held", receiver, new JsonObject());
      servedByBoth("sub-held", CLUSTER_WIDE);
      settled("sub-held");

      HttpResponse<String> paused = a.admin("POST", "/api/admin/subscriptions/held/pause", null);
      assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
      await().atMost(CLUSTER_WIDE).untilAsserted(() -> {
        assertThat(a.figures("sub-held").getBoolean("paused")).isTrue();
        assertThat(b.figures("sub-held").getBoolean("paused")).isTrue();
      });
      List<String> held = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        held.add(publish(i % 2 == 0 ? a : b, "held-" + (i % 6), "held " + i));
      }
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> receiver.all().isEmpty());
      assertThat(entry(b, "held").getString("status")).isEqualTo("paused");
      assertThat(entry(b, "held").getLong("lag")).isEqualTo(12);

      HttpResponse<String> resumed = b.admin("POST", "/api/admin/subscriptions/held/resume", null);
      assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
      await().atMost(WAIT).until(() -> receiver.accepted().stream().map(TestReceiver.Delivery::blogId)
          .collect(Collectors.toSet()).containsAll(held));
      assertThat(receiver.accepted().stream().map(TestReceiver.Delivery::id)).doesNotHaveDuplicates();

      // deliveries flow from both instances while the deletion goes on
      AtomicBoolean publishing = new AtomicBoolean(true);
      ExecutorService writer = Executors.newSingleThreadExecutor();
      writer.submit(() -> {
        for (int i = 0; publishing.get(); i++) {
          publish(i % 2 == 0 ? a : b, "held-" + (i % 6), "during the deletion " + i);
          Thread.sleep(20); // pacing the writer, not waiting for anything
        }
        return null;
      });
      int before = receiver.all().size();
      await().atMost(WAIT).until(() -> receiver.all().size() > before + 10);
      long asked = System.nanoTime();
      HttpResponse<String> deleted = a.admin("DELETE", "/api/admin/subscriptions/held", null);
      assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
      assertThat(a.json(deleted).getString("deleted")).isEqualTo("done");
      int seen = receiver.all().size();
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> receiver.all().size() == seen);
      publishing.set(false);
      writer.shutdown();
      assertThat(writer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      long last = arrivals.stream().mapToLong(Long::longValue).max().orElseThrow();
      assertThat(TimeUnit.NANOSECONDS.toMillis(last - asked)).as("the last delivery, after DELETE was asked")
          .isLessThan(2_000);

      for (RunningApp instance : List.of(a, b)) {
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(RunningApp.await(instance.app().stream().admin().listGroups()))
              .doesNotContain("sub-held", "sub-held.replay");
          Set<String> topics = RunningApp.await(instance.app().stream().admin().listTopics()).stream()
              .map(t -> t.name()).collect(Collectors.toSet());
          assertThat(topics).contains("blog-events").doesNotContain("blog-events.dlq.sub-held");
        });
        assertThat(instance.get("/api/groups").body()).doesNotContain("sub-held");
      }
    }
  }

  @Test
  void aSlowSubscriptionLeavesTheCounterAndSearchUntouched() throws Exception {
    try (TestReceiver receiver = TestReceiver.start(vertx)) {
      receiver.answering(d -> TestReceiver.Answer.after(5_000));
      create(a, "slow", receiver, new JsonObject().put("timeoutMs", 20_000));
      servedByBoth("sub-slow", CLUSTER_WIDE);
      for (String group : List.of("counter", "search")) {
        await().atMost(WAIT).until(() -> a.group(group).getLong("lag") == 0);
      }

      long start = System.nanoTime();
      for (int i = 0; i < 8; i++) {
        publish(i % 2 == 0 ? a : b, "slow-" + (i % 2), "slowpoke " + i);
      }
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(b.json(b.get("/api/authors/slow-0")).getLong("blogCount")).isEqualTo(4);
        assertThat(a.json(a.get("/api/authors/slow-1")).getLong("blogCount")).isEqualTo(4);
        // each instance indexes the partitions its search member owns
        Set<String> found = new java.util.HashSet<>();
        for (RunningApp instance : List.of(a, b)) {
          instance.json(instance.get("/api/search?q=slowpoke")).getJsonArray("hits")
              .forEach(hit -> found.add(((JsonObject) hit).getString("blogId")));
        }
        assertThat(found).hasSize(8);
        assertThat(a.group("counter").getLong("lag")).isZero();
        assertThat(a.group("search").getLong("lag")).isZero();
      });
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(entry(a, "slow").getLong("lag")).as("the slow subscription still lags").isPositive();
      assertThat(receiver.inFlight()).as("a delivery is held by the slow endpoint").isPositive();
      System.out.println("counter and search caught up in " + tookMillis + " ms beside a 5 s endpoint");
      assertThat(a.admin("DELETE", "/api/admin/subscriptions/slow", null).statusCode()).isEqualTo(200);
    }
  }
}
