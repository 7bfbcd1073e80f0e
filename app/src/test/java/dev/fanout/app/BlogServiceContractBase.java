package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.OffsetSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The blog service end to end through HTTP, with a real PostgreSQL, on one stream backend: many
 * publishes from many authors with updates and deletes interleaved, then the counter must agree with the
 * blogs table, and keep agreeing after its group re-reads everything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BlogServiceContractBase {

  private static final int BLOGS = Integer.getInteger("fanout.test.blogs", 2000);
  private static final int AUTHORS = 100;
  private static final int CLIENTS = 16;
  private static final Duration SETTLE = Duration.ofSeconds(180);

  Path dataDir;
  RunningApp app;

  /** Flags that select the backend under test. */
  abstract String[] backendFlags();

  @BeforeAll
  void start() throws Exception {
    dataDir = Files.createTempDirectory("fanout-blog-service");
    List<String> flags = new ArrayList<>(List.of("--partitions", "6", "--consumers-per-group", "2"));
    flags.addAll(List.of(backendFlags()));
    app = RunningApp.start(dataDir, flags.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    RunningApp.deleteRecursively(dataDir);
  }

  @Test
  void countsMatchTheBlogsTableAndSurviveAFullReRead() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    long[] seeds = new long[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
      seeds[i] = random.nextLong();
    }
    AtomicInteger updates = new AtomicInteger();
    AtomicInteger deletes = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        done.add(clients.submit(() -> {
          Random r = new Random(seeds[client]);
          for (int i = client; i < BLOGS; i += CLIENTS) {
            String author = "author-" + r.nextInt(AUTHORS);
            JsonObject draft = draft(author, "title " + i, r);
            HttpResponse<String> published = app.write("POST", "/api/blogs", author, draft);
            assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
            String blogId = app.json(published).getString("blogId");
            if (r.nextInt(4) == 0) {
              HttpResponse<String> updated = app.write("PUT", "/api/blogs/" + blogId, author,
                  draft(author, "updated " + i, r));
              assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
              assertThat(app.json(updated).getInteger("version")).isEqualTo(2);
              updates.incrementAndGet();
            }
            if (r.nextInt(5) == 0) {
              HttpResponse<String> deleted = app.write("DELETE", "/api/blogs/" + blogId, author, null);
              assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
              deletes.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> future : done) {
        future.get(5, TimeUnit.MINUTES);
      }
    } finally {
      clients.shutdownNow();
    }
    long events = BLOGS + updates.get() + deletes.get();
    assertThat(app.queryLong("SELECT count(*) FROM outbox")).as("seed %d", seed).isEqualTo(events);

    awaitCounterCaughtUp(events);
    Map<String, Long> expected = liveBlogsPerAuthor();
    assertThat(expected.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(BLOGS - deletes.get());
    assertCountsAre(expected);

    Map<Integer, Long> reset = RunningApp.await(app.app().stream().admin()
        .resetOffsets("counter", FanoutApp.EVENTS_TOPIC, OffsetSpec.earliest(), false));
    assertThat(reset.values()).allMatch(offset -> offset == 0L);
    awaitCounterCaughtUp(events);
    assertCountsAre(expected);
    assertThat(app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = 'counter'")).isEqualTo(events);
  }

  private JsonObject draft(String author, String title, Random random) {
    JsonArray tags = new JsonArray();
    for (int t = random.nextInt(4); t > 0; t--) {
      tags.add("tag" + random.nextInt(20));
    }
    return new JsonObject().put("authorId", author).put("title", title)
        .put("body", "body ".repeat(1 + random.nextInt(50))).put("tags", tags);
  }

  private void awaitCounterCaughtUp(long events) {
    Awaitility.await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(app.queryLong("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).isZero();
      GroupDescription group = RunningApp.await(app.app().stream().admin().describeGroup("counter"));
      long end = group.partitions().stream().mapToLong(GroupDescription.PartitionLag::logEnd).sum();
      assertThat(end).isGreaterThanOrEqualTo(events);
      assertThat(group.totalLag()).isZero();
      assertThat(group.partitions()).allMatch(p -> p.committed() == p.logEnd());
    });
  }

  private Map<String, Long> liveBlogsPerAuthor() throws Exception {
    return app.queryMap("SELECT author_id, count(*) FROM blogs WHERE NOT deleted GROUP BY author_id");
  }

  private void assertCountsAre(Map<String, Long> expected) throws Exception {
    for (int a = 0; a < AUTHORS; a++) {
      String author = "author-" + a;
      HttpResponse<String> response = app.get("/api/authors/" + author);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(app.json(response).getLong("blogCount")).as(author).isEqualTo(expected.getOrDefault(author, 0L));
    }
  }
}
