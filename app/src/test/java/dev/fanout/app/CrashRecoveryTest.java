package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Process process;
  private Path dataDir;

  @AfterEach
  void cleanUp() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      process.waitFor(60, TimeUnit.SECONDS);
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
    int port = freePort();
    process = launch(port, backend);
    awaitUp(port);

    Set<String> acknowledged = publishUntil(port, 300, () -> process.destroyForcibly().waitFor(30, TimeUnit.SECONDS));

    process = launch(port, backend);
    awaitUp(port);
    assertThat(Files.readString(dataDir.resolve("app.log"))).contains("stopping the orphaned PostgreSQL server");
    assertConsistent(port, acknowledged);
  }

  /** SIGTERM in the middle of a publish load: the app stops cleanly within a bound, and nothing is lost. */
  @Test
  void sigtermStopsCleanlyWithinTheBoundAndLosesNothing() throws Exception {
    dataDir = Files.createTempDirectory("fanout-sigterm");
    int port = freePort();
    process = launch(port, "kafka");
    awaitUp(port);

    long[] stopMillis = {0};
    Set<String> acknowledged = publishUntil(port, 300, () -> {
      long start = System.nanoTime();
      process.destroy();
      assertThat(process.waitFor(Main.STOP_TIMEOUT_SECONDS + 15, TimeUnit.SECONDS)).as("exited in time").isTrue();
      stopMillis[0] = (System.nanoTime() - start) / 1_000_000;
      return true;
    });
    String log = Files.readString(dataDir.resolve("app.log"));
    assertThat(log).contains("fanout: stopped cleanly in").doesNotContain("unclean stop");
    System.out.println("SIGTERM to exit: " + stopMillis[0] + " ms");

    process = launch(port, "kafka");
    awaitUp(port);
    assertThat(Files.readString(dataDir.resolve("app.log"))).as("a clean stop leaves no orphan")
        .doesNotContain("stopping the orphaned PostgreSQL server");
    assertConsistent(port, acknowledged);
  }

  /** Publishes from 8 clients until {@code count} are acknowledged, then runs {@code stop} while they go on. */
  private Set<String> publishUntil(int port, int count, java.util.concurrent.Callable<Boolean> stop) throws Exception {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    for (int c = 0; c < 8; c++) {
      int client = c;
      clients.submit(() -> {
        for (int i = 0; i < 10_000 && !Thread.currentThread().isInterrupted(); i++) {
          String author = "crash-" + ((client + i) % AUTHORS);
          try {
            HttpResponse<String> response = post(port, new JsonObject().put("authorId", author)
                .put("title", "t" + i).put("body", "b").encode());
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
  private void assertConsistent(int port, Set<String> acknowledged) throws Exception {
    JsonObject info = new JsonObject(get(port, "/api/info").body());
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
        assertThat(new JsonObject(get(port, "/api/audit").body()).getJsonArray("discrepancies")).isEmpty();
      });
      List<String> missing = new ArrayList<>();
      for (String blogId : acknowledged) {
        if (get(port, "/api/blogs/" + blogId).statusCode() != 200) {
          missing.add(blogId);
        }
      }
      assertThat(missing).as("acknowledged but lost").isEmpty();
      Map<String, Long> live = new TreeMap<>();
      for (Row row : await(pool.query("SELECT author_id, count(*) FROM blogs WHERE NOT deleted GROUP BY author_id").execute())) {
        live.put(row.getString(0), row.getLong(1));
      }
      for (int a = 0; a < AUTHORS; a++) {
        String author = "crash-" + a;
        long counted = new JsonObject(get(port, "/api/authors/" + author).body()).getLong("blogCount");
        assertThat(counted).as(author).isEqualTo(live.getOrDefault(author, 0L));
      }
      assertThat(one(pool, "SELECT count(*) FROM blogs")).isGreaterThanOrEqualTo(acknowledged.size());
    } finally {
      pool.close();
      vertx.close();
    }
  }

  private Process launch(int port, String backend) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "--port", Integer.toString(port), "--data-dir", dataDir.toString(), "--partitions", "4",
        "--backend", backend)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dataDir.toFile(), "app.log")));
    return builder.start();
  }

  private void awaitUp(int port) {
    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions().until(() -> get(port, "/health/ready").statusCode() == 200);
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/blogs"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long one(Pool pool, String sql) throws Exception {
    return await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return RunningApp.await(future);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
