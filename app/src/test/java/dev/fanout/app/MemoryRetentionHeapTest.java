package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The in-memory stream's retention follows the heap: the app in a JVM of its own with a small heap and many
 * partitions takes a burst of large blogs without an {@code OutOfMemoryError}, and loses none (what retention
 * dropped before a group read it, the relay's gap healing sends again).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemoryRetentionHeapTest {

  private static final String HEAP = "256m";
  private static final int PARTITIONS = 64;
  private static final int PUBLISHES = 3000;
  private static final int WRITERS = 8;
  /** About 100 KB a blog: the burst is about 300 MB of records, more than the whole heap. */
  private static final String BODY = "retained ".repeat(11_000);

  private Path dir;
  private AppProcess app;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("fanout-MemoryRetentionHeapTest");
    app = AppProcess.startWithHeap(dir, HEAP, "--partitions", Integer.toString(PARTITIONS),
        "--publish-rate-limit", "0");
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      RunningApp.deleteRecursively(dir);
    }
  }

  @Test
  void aSmallHeapWithManyPartitionsTakesABurstWithoutRunningOutOrLosingAnything() throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    List<Future<HttpResponse<String>>> sent = new ArrayList<>();
    try {
      for (int i = 0; i < PUBLISHES; i++) {
        int n = i;
        sent.add(writers.submit(() -> app.publish("author-" + n % 97, "burst " + n, BODY)));
      }
      for (Future<HttpResponse<String>> response : sent) {
        HttpResponse<String> answer = response.get();
        assertThat(answer.statusCode()).as("a publish of the burst: %s; log: %s", answer.body(), tail())
            .isEqualTo(201);
      }
    } finally {
      writers.shutdownNow();
    }
    Awaitility.await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      assertThat(app.process().isAlive()).as("the app is alive; log: %s", tail()).isTrue();
      JsonObject audit = app.audit();
      assertThat(audit.getJsonArray("discrepancies")).as("the audit after the burst").isEmpty();
      assertThat(audit.getJsonObject("checked").getLong("indexed")).isEqualTo(PUBLISHES);
    });
    assertThat(app.log()).doesNotContain("OutOfMemoryError");
  }

  private String tail() throws Exception {
    String log = app.log();
    return log.substring(Math.max(0, log.length() - 3000));
  }
}
