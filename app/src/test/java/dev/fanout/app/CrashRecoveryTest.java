package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The app as a separate process, stopped in the middle of a publish load by {@code kill -9} or SIGTERM:
 * after a restart on the same data directory every acknowledged publish is in the blogs table, counted
 * exactly once and indexed (the audit is empty). After a kill the restart must also get past the
 * PostgreSQL server the killed JVM left behind.
 */
class CrashRecoveryTest {

  private static final int AUTHORS = 20;
  private AppProcess app;
  private Path dataDir;

  @AfterEach
  void cleanUp() throws Exception {
    if (app != null) {
      app.close();
    }
    RunningApp.deleteRecursively(dataDir);
  }

  /**
   * {@code kill -9} in the middle of a publish load, on the embedded defaults and on Kafka (the app's
   * embedded broker dies with it and restarts from its log directory).
   */
  @ParameterizedTest
  @ValueSource(strings = {"memory", "kafka"})
  void killDashNineLosesNoAcknowledgedPublishAndCountsNoneTwice(String backend) throws Exception {
    dataDir = Files.createTempDirectory("fanout-crash");
    app = AppProcess.start(dataDir, "--partitions", "4", "--backend", backend);

    Set<String> acknowledged = publishUntil(300, () -> {
      app.kill();
      return true;
    });

    app.restart();
    assertThat(app.log()).contains("stopping the orphaned PostgreSQL server");
    assertConsistent(acknowledged);
  }

  /** SIGTERM in the middle of a publish load: the app stops cleanly within a bound, and nothing is lost. */
  @Test
  void sigtermStopsCleanlyWithinTheBoundAndLosesNothing() throws Exception {
    dataDir = Files.createTempDirectory("fanout-sigterm");
    app = AppProcess.start(dataDir, "--partitions", "4", "--backend", "kafka");

    long[] stopMillis = {0};
    Set<String> acknowledged = publishUntil(300, () -> {
      long start = System.nanoTime();
      app.process().destroy();
      assertThat(app.process().waitFor(ServeCommand.STOP_TIMEOUT_SECONDS + 15, TimeUnit.SECONDS)).as("exited in time").isTrue();
      stopMillis[0] = (System.nanoTime() - start) / 1_000_000;
      return true;
    });
    assertThat(app.log()).contains("fanout: stopped cleanly in").doesNotContain("unclean stop");
    System.out.println("SIGTERM to exit: " + stopMillis[0] + " ms");

    app.restart();
    assertThat(app.log()).as("a clean stop leaves no orphan").doesNotContain("stopping the orphaned PostgreSQL server");
    assertConsistent(acknowledged);
  }

  /** Publishes from 8 clients until {@code count} are acknowledged, then runs {@code stop} while they go on. */
  private Set<String> publishUntil(int count, java.util.concurrent.Callable<Boolean> stop) throws Exception {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    for (int c = 0; c < 8; c++) {
      int client = c;
      clients.submit(() -> {
        for (int i = 0; i < 10_000 && !Thread.currentThread().isInterrupted(); i++) {
          String author = "crash-" + ((client + i) % AUTHORS);
          try {
            HttpResponse<String> response = app.publish(author, "t" + i);
            if (response.statusCode() == 201) {
              acknowledged.add(new JsonObject(response.body()).getString("blogId"));
            }
          } catch (Exception e) {
            return null; // the server is gone
          }
        }
        return null;
      });
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= count);
    stop.call();
    clients.shutdownNow();
    assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    return acknowledged;
  }

  /** Every acknowledged blog is there, counted exactly once and indexed: the audit is empty. */
  private void assertConsistent(Set<String> acknowledged) throws Exception {
    JsonObject info = app.getJson("/api/info");
    Matcher pgPort = Pattern.compile("port (\\d+)").matcher(info.getString("database"));
    assertThat(pgPort.find()).isTrue();

    Vertx vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1")
        .setPort(Integer.parseInt(pgPort.group(1))).setDatabase("postgres").setUser("postgres").setPassword("postgres"))
        .using(vertx).build();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        long events = one(pool, "SELECT count(*) FROM outbox");
        assertThat(one(pool, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")).isZero();
        assertThat(one(pool, "SELECT count(*) FROM processed_events WHERE group_name = 'counter'")).isEqualTo(events);
        assertThat(one(pool, "SELECT count(*) FROM processed_events WHERE group_name = 'search'")).isEqualTo(events);
        assertThat(app.audit().getJsonArray("discrepancies")).isEmpty();
      });
      assertThat(app.missingBlogs(acknowledged)).as("acknowledged but lost").isEmpty();
      Map<String, Long> live = new TreeMap<>();
      for (Row row : await(pool.query("SELECT author_id, count(*) FROM blogs WHERE NOT deleted GROUP BY author_id").execute())) {
        live.put(row.getString(0), row.getLong(1));
      }
      for (int a = 0; a < AUTHORS; a++) {
        String author = "crash-" + a;
        long counted = app.getJson("/api/authors/" + author).getLong("blogCount");
        assertThat(counted).as(author).isEqualTo(live.getOrDefault(author, 0L));
      }
      assertThat(one(pool, "SELECT count(*) FROM blogs")).isGreaterThanOrEqualTo(acknowledged.size());
    } finally {
      pool.close();
      vertx.close();
    }
  }

  private static long one(Pool pool, String sql) throws Exception {
    return await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return RunningApp.await(future);
  }
}
