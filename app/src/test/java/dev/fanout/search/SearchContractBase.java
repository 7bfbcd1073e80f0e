package dev.fanout.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutApp;
import dev.fanout.app.RunningApp;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.OffsetSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Search end to end through HTTP on one engine: blogs published, updated and deleted concurrently are
 * found by a word of their latest title, deleted ones never, and a full re-read of the search group
 * changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SearchContractBase {

  private static final int BLOGS = Integer.getInteger("fanout.test.search.blogs", 1000);
  private static final int CLIENTS = 8;
  private static final Duration SETTLE = Duration.ofSeconds(180);

  private Path dataDir;
  protected RunningApp app;

  /** Flags that select the engine under test; called after {@link #startEngine()}. */
  protected abstract String[] engineFlags();

  /** Starts what the engine needs (a server) before the app; nothing by default. */
  protected void startEngine() throws Exception {
  }

  protected void stopEngine() throws Exception {
  }

  /** The blog's expected state: its latest title word, or deleted. */
  private record Expected(String word, boolean deleted, String title) {
  }

  @BeforeAll
  void start() throws Exception {
    startEngine();
    dataDir = Files.createTempDirectory("fanout-search");
    List<String> flags = new ArrayList<>(List.of("--partitions", "4"));
    flags.addAll(List.of(engineFlags()));
    app = RunningApp.start(dataDir, flags.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (app != null) {
        app.close();
      }
      RunningApp.deleteRecursively(dataDir);
    } finally {
      stopEngine();
    }
  }

  private JsonObject search(String query) throws Exception {
    HttpResponse<String> response = app.get("/api/search?" + query);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return app.json(response);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  void everyLiveBlogIsFoundAtItsLatestVersionAndReReadingChangesNothing() throws Exception {
    Map<String, Expected> expected = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    long seed = System.nanoTime();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        done.add(clients.submit(() -> {
          Random random = new Random(seed + client);
          for (int i = client; i < BLOGS; i += CLIENTS) {
            String author = "searcher-" + random.nextInt(20);
            String word = "zq" + i + "k";
            JsonObject draft = new JsonObject().put("authorId", author).put("title", word + " first")
                .put("body", "an ordinary body").put("tags", new JsonArray().add("t" + (i % 5)));
            HttpResponse<String> created = app.write("POST", "/api/blogs", author, draft);
            assertThat(created.statusCode()).isEqualTo(201);
            String blogId = app.json(created).getString("blogId");
            expected.put(blogId, new Expected(word, false, word + " first"));
            if (random.nextInt(3) == 0) {
              String newWord = "upd" + i + "k";
              app.write("PUT", "/api/blogs/" + blogId, author,
                  draft.put("title", newWord + " second"));
              expected.put(blogId, new Expected(newWord, false, newWord + " second"));
            }
            if (random.nextInt(5) == 0) {
              app.write("DELETE", "/api/blogs/" + blogId, author, null);
              expected.put(blogId, new Expected(expected.get(blogId).word(), true, null));
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

    awaitSearchCaughtUp();
    assertFindsExactly(expected);

    Map<Integer, Long> reset = RunningApp.await(app.app().stream().admin()
        .resetOffsets(SearchIndexer.GROUP, FanoutApp.EVENTS_TOPIC, OffsetSpec.earliest(), false));
    assertThat(reset.values()).allMatch(offset -> offset == 0L);
    awaitSearchCaughtUp();
    assertFindsExactly(expected);
  }

  private void awaitSearchCaughtUp() {
    Awaitility.await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(app.queryLong("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).isZero();
      GroupDescription group = RunningApp.await(app.app().stream().admin().describeGroup(SearchIndexer.GROUP));
      assertThat(group.partitions()).allMatch(p -> p.committed() == p.logEnd());
    });
  }

  // Searches are eventually consistent (the engine refreshes on its own schedule): wait for each answer.
  private void assertFindsExactly(Map<String, Expected> expected) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<String> wrong = new ArrayList<>();
      for (Map.Entry<String, Expected> entry : expected.entrySet()) {
        Expected blog = entry.getValue();
        JsonObject result = search("q=" + encode(blog.word()));
        if (blog.deleted()) {
          if (result.getLong("total") != 0) {
            wrong.add("deleted " + entry.getKey() + " still found");
          }
        } else if (result.getLong("total") != 1
            || !result.getJsonArray("hits").getJsonObject(0).getString("blogId").equals(entry.getKey())
            || !result.getJsonArray("hits").getJsonObject(0).getString("title").equals(blog.title())) {
          wrong.add(entry.getKey() + " by '" + blog.word() + "': " + result.encode());
        }
        if (wrong.size() > 5) {
          break;
        }
      }
      assertThat(wrong).isEmpty();
    });
  }

  @Test
  void filtersPagingHighlightingAndEscaping() throws Exception {
    String hostile = "<img src=x onerror=alert(1)> xssword";
    for (int i = 0; i < 5; i++) {
      JsonObject draft = new JsonObject().put("authorId", i < 3 ? "pager-a" : "pager-b").put("title", "pagerword " + i)
          .put("body", "body of the pagerword blog " + i).put("tags", new JsonArray().add(i % 2 == 0 ? "even" : "odd"));
      assertThat(app.write("POST", "/api/blogs", draft.getString("authorId"), draft).statusCode()).isEqualTo(201);
    }
    assertThat(app.write("POST", "/api/blogs", "pager-x", new JsonObject().put("authorId", "pager-x")
        .put("title", hostile).put("body", hostile)).statusCode()).isEqualTo(201);

    Awaitility.await().atMost(SETTLE).untilAsserted(() -> {
      assertThat(search("q=pagerword").getLong("total")).isEqualTo(5);
      assertThat(search("q=xssword").getLong("total")).isEqualTo(1);
    });
    assertThat(search("q=pagerword&author=pager-a").getLong("total")).isEqualTo(3);
    assertThat(search("q=pagerword&tag=even").getLong("total")).isEqualTo(3);
    assertThat(search("q=pagerword&author=pager-b&tag=odd").getLong("total")).isEqualTo(1);
    JsonObject page = search("q=pagerword&limit=2&offset=4");
    assertThat(page.getLong("total")).isEqualTo(5);
    assertThat(page.getJsonArray("hits")).hasSize(1);
    assertThat(search("q=pagerword&limit=2").getJsonArray("hits")).hasSize(2);

    JsonObject hit = search("q=xssword").getJsonArray("hits").getJsonObject(0);
    assertThat(hit.getString("title")).isEqualTo(hostile);
    assertThat(hit.getString("snippet")).contains("<mark>xssword</mark>").doesNotContain("<img")
        .contains("&lt;img");
    assertThat(hit.getString("publishedAt")).isNotBlank();
  }

  @Test
  void badParametersAreA400NamingThem() throws Exception {
    for (String[] bad : new String[][] {{"limit=0", "limit"}, {"limit=101", "limit"}, {"limit=x", "limit"},
        {"offset=-1", "offset"}, {"offset=10001", "offset"}, {"q=" + encode("title:(unclosed"), "q"},
        {"q=" + encode("AND"), "q"}, {"q=" + "x".repeat(501), "q"}}) {
      HttpResponse<String> response = app.get("/api/search?" + bad[0]);
      assertThat(response.statusCode()).as(bad[0]).isEqualTo(400);
      assertThat(app.json(response).getString("field")).as(bad[0]).isEqualTo(bad[1]);
    }
  }
}
