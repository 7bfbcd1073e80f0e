package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * PostgreSQL (an external server, by URL) stopped during a publish load: publishes fail fast with 503
 * and Retry-After, nothing is half-written, the consumers' circuits open and their groups wait; when the
 * server is back everything resumes by itself and the audit ends empty.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageTest {

  private Path dataDir;
  private Path pgDir;
  private int pgPort;
  private EmbeddedPostgres postgres;
  private RunningApp app;

  @BeforeAll
  void start() throws Exception {
    dataDir = Files.createTempDirectory("fanout-db-outage");
    pgDir = Files.createTempDirectory("fanout-db-outage-pg");
    try (ServerSocket socket = new ServerSocket(0)) {
      pgPort = socket.getLocalPort();
    }
    postgres = startPostgres();
    app = RunningApp.start(dataDir, "--partitions", "3", "--pg-url",
        "postgresql://postgres:postgres@127.0.0.1:" + pgPort + "/postgres",
        "--retry-backoff-ms", "50", "--breaker-wait-ms", "1000");
  }

  private EmbeddedPostgres startPostgres() throws Exception {
    return EmbeddedPostgres.builder().setPort(pgPort).setDataDirectory(pgDir).setCleanDataDirectory(false)
        .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
        .setServerConfig("listen_addresses", "127.0.0.1").start();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
      RunningApp.deleteRecursively(dataDir);
      RunningApp.deleteRecursively(pgDir);
    }
  }

  @Test
  void publishesFailFastWhileTheDatabaseIsDownAndEverythingResumesAfter() throws Exception {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<String> unexpected = new CopyOnWriteArrayList<>();
    AtomicInteger unavailable = new AtomicInteger();
    AtomicInteger acceptedAfterRestart = new AtomicInteger();
    AtomicBoolean restarted = new AtomicBoolean();
    AtomicInteger sequence = new AtomicInteger();
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    try {
      load.scheduleAtFixedRate(() -> {
        int i = sequence.incrementAndGet();
        try {
          long start = System.nanoTime();
          HttpResponse<String> answer = app.write("POST", "/api/blogs", "outage-" + (i % 7),
              new JsonObject().put("authorId", "outage-" + (i % 7)).put("title", "t" + i).put("body", "b"));
          long millis = (System.nanoTime() - start) / 1_000_000;
          if (answer.statusCode() == 201) {
            acknowledged.add(app.json(answer).getString("blogId"));
            if (restarted.get()) {
              acceptedAfterRestart.incrementAndGet();
            }
          } else if (answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").isPresent()
              && app.json(answer).getString("error") != null) {
            unavailable.incrementAndGet();
            if (millis > 10_000) {
              unexpected.add("a 503 took " + millis + " ms");
            }
          } else {
            unexpected.add(answer.statusCode() + " " + answer.body());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the load is being stopped
        } catch (Exception e) {
          unexpected.add(e.toString());
        }
      }, 0, 50, TimeUnit.MILLISECONDS);

      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 100);
      // slow the counter so that events are in flight when the database goes
      app.admin("POST", "/api/admin/faults", "{\"sink\": \"counter\", \"mode\": \"latency\", \"millis\": 1000}");
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> app.group("counter").getLong("lag") > 0);
      postgres.close();

      AtomicBoolean counterCircuitOpened = new AtomicBoolean();
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        if (!app.figures("counter").getString("circuit").equals("CLOSED")) {
          counterCircuitOpened.set(true);
        }
        assertThat(unavailable.get()).isGreaterThanOrEqualTo(20);
        assertThat(app.get("/health/ready").statusCode()).isEqualTo(503);
        assertThat(counterCircuitOpened).isTrue();
      });
      app.admin("DELETE", "/api/admin/faults", null);

      postgres = startPostgres();
      restarted.set(true);
      Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> acceptedAfterRestart.get() >= 40);
    } finally {
      load.shutdownNow();
      load.awaitTermination(30, TimeUnit.SECONDS);
    }
    assertThat(unexpected).as("answers other than 201 or a quick 503 with Retry-After").isEmpty();

    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(app.get("/health/ready").statusCode()).isEqualTo(200);
      long events = app.queryLong("SELECT count(*) FROM outbox");
      assertThat(app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = 'counter'")).isEqualTo(events);
      assertThat(app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = 'search'")).isEqualTo(events);
      assertThat(app.audit().getJsonArray("discrepancies")).isEmpty();
    });
    for (String blogId : acknowledged) {
      assertThat(app.get("/api/blogs/" + blogId).statusCode()).as(blogId).isEqualTo(200);
    }
    assertThat(app.queryLong("SELECT count(*) FROM blogs b WHERE NOT EXISTS (SELECT 1 FROM outbox o "
        + "WHERE convert_from(o.payload, 'UTF8')::jsonb ->> 'blogId' = b.blog_id::text)")).as("blogs without their event").isZero();
    Map<String, Long> live = app.queryMap("SELECT author_id, count(*) FROM blogs WHERE NOT deleted GROUP BY author_id");
    assertThat(app.queryMap("SELECT author_id, blog_count FROM author_stats")).isEqualTo(live);
    assertThat(app.figures("counter").getLong("deadLetters")).isZero();
    System.out.println("database outage: " + acknowledged.size() + " acknowledged, " + unavailable.get() + " answered 503");
  }
}
