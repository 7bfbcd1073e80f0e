package dev.fanout.search.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.consumer.DeadLetters;
import dev.fanout.consumer.Failures;
import dev.fanout.consumer.GroupSpec;
import dev.fanout.consumer.GroupTrail;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.consumer.ResiliencePolicy;
import dev.fanout.consumer.SinkInterceptor;
import dev.fanout.consumer.SinkUnavailable;
import dev.fanout.core.Refusal;
import dev.fanout.events.BlogEvent;
import dev.fanout.search.SearchEngine.IndexedBlog;
import dev.fanout.search.SearchQuery;
import dev.fanout.search.SearchResult;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenSearch engine against a real OpenSearch 2.19: indexing by version, tombstones, filters, paging,
 * highlighting and query errors. One server and one index for the class; every test uses its own words and
 * authors so that tests do not see each other's blogs.
 */
class OpenSearchEngineTest {

  private static final Duration VISIBLE = Duration.ofSeconds(15);
  private static final Instant T0 = Instant.parse("2026-11-20T10:15:30.123456789Z");

  private static OpenSearchServer server;
  private static Vertx vertx;
  private static OpenSearchEngine engine;

  @BeforeAll
  static void start() throws Exception {
    server = OpenSearchServer.start();
    vertx = Vertx.vertx();
    engine = new OpenSearchEngine(vertx, server.baseUrl() + "/", "blogs-test", 200);
    await(engine.start());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (engine != null) {
        await(engine.close());
      }
      if (vertx != null) {
        await(vertx.close());
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void startsTwiceAndAnswersPing() throws Exception {
    assertThat(engine.name()).isEqualTo("opensearch");
    await(engine.start());
    await(engine.ping());

    OpenSearchEngine nobody = new OpenSearchEngine(vertx, "http://127.0.0.1:1", "blogs-test", 200);
    try {
      assertThat(failure(nobody.ping())).isNotNull();
      assertThat(failure(nobody.apply(List.of(published(UUID.randomUUID(), "ada", 1, "t", "b", List.of(), T0)))))
          .isNotNull();
    } finally {
      nobody.close();
    }
  }

  @Test
  void findsByTitleWordAndFiltersByAuthorAndTag() throws Exception {
    String word = word();
    String ada = word();
    String bob = word();
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    UUID third = UUID.randomUUID();
    await(engine.apply(List.of(
        published(first, ada, 1, "About " + word + " things", "Plain body", List.of("java", "vertx"), T0),
        published(second, ada, 1, "Something else", "a body that mentions " + word, List.of("kafka"),
            T0.plusSeconds(1)),
        published(third, bob, 1, word + " by another author", "text", List.of("java"), T0.plusSeconds(2)))));

    SearchResult all = awaitHits(query(word), 3);
    assertThat(all.hits()).extracting(SearchResult.Hit::blogId)
        .containsExactlyInAnyOrder(first.toString(), second.toString(), third.toString());
    SearchResult.Hit hit = all.hits().stream().filter(h -> h.blogId().equals(first.toString())).findFirst().get();
    assertThat(hit.authorId()).isEqualTo(ada);
    assertThat(hit.title()).isEqualTo("About " + word + " things");
    assertThat(hit.tags()).containsExactly("java", "vertx");
    assertThat(Instant.parse(hit.publishedAt())).isEqualTo(T0);

    SearchResult byAda = search(new SearchQuery(word, ada, null, 10, 0));
    assertThat(byAda.total()).isEqualTo(2);
    assertThat(byAda.hits()).extracting(SearchResult.Hit::blogId)
        .containsExactlyInAnyOrder(first.toString(), second.toString());

    SearchResult javaTag = search(new SearchQuery(word, null, "java", 10, 0));
    assertThat(javaTag.hits()).extracting(SearchResult.Hit::blogId)
        .containsExactlyInAnyOrder(first.toString(), third.toString());
    assertThat(search(new SearchQuery(word, ada, "java", 10, 0)).hits()).extracting(SearchResult.Hit::blogId)
        .containsExactly(first.toString());
    assertThat(search(new SearchQuery(word, bob, "kafka", 10, 0)).total()).isZero();

    // tags are searchable as words too, and the query syntax reaches fields by name
    assertThat(search(new SearchQuery("vertx", ada, null, 10, 0)).hits()).extracting(SearchResult.Hit::blogId)
        .containsExactly(first.toString());
    assertThat(search(new SearchQuery("title:" + word, ada, null, 10, 0)).hits())
        .extracting(SearchResult.Hit::blogId).containsExactly(first.toString());
  }

  @Test
  void pagesWithLimitOffsetAndTotal() throws Exception {
    String author = word();
    String word = word();
    List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(),
        UUID.randomUUID());
    for (int i = 0; i < ids.size(); i++) {
      await(engine.apply(List.of(published(ids.get(i), author, 1, "Post " + i + " " + word, "body " + i,
          List.of(), T0.plusSeconds(i)))));
    }
    // an empty query matches everything, newest first
    SearchResult everything = awaitHits(new SearchQuery("", author, null, 10, 0), 5);
    assertThat(everything.hits()).extracting(SearchResult.Hit::blogId).containsExactly(
        ids.get(4).toString(), ids.get(3).toString(), ids.get(2).toString(), ids.get(1).toString(),
        ids.get(0).toString());

    SearchResult page = search(new SearchQuery("", author, null, 2, 2));
    assertThat(page.total()).isEqualTo(5);
    assertThat(page.hits()).extracting(SearchResult.Hit::blogId)
        .containsExactly(ids.get(2).toString(), ids.get(1).toString());
    assertThat(search(new SearchQuery(word, author, null, 2, 4)).hits()).hasSize(1);
    SearchResult beyond = search(new SearchQuery(word, author, null, 10, 5));
    assertThat(beyond.total()).isEqualTo(5);
    assertThat(beyond.hits()).isEmpty();
    // the deepest page the API allows is within the index's result window
    assertThat(search(new SearchQuery(word, author, null, SearchQuery.MAX_LIMIT, SearchQuery.MAX_OFFSET)).hits())
        .isEmpty();
  }

  @Test
  void highlightsWithMarkAndEscapesHtml() throws Exception {
    String word = word();
    String author = word();
    String evil = "<img src=x onerror=alert(1)>";
    UUID blog = UUID.randomUUID();
    await(engine.apply(List.of(published(blog, author, 1, evil + " " + word,
        "Look: " + evil + " & the " + word + " \"quoted\" text", List.of("html"), T0))));

    SearchResult.Hit hit = awaitHits(query(word), 1).hits().get(0);
    assertThat(hit.title()).isEqualTo(evil + " " + word);
    assertThat(hit.snippet()).contains("<mark>" + word + "</mark>").contains("&lt;img").contains("&amp;");
    assertThat(hit.snippet().replace("<mark>", "").replace("</mark>", "")).doesNotContain("<", ">");

    // only the title matches: the snippet is the escaped start of a long body
    String other = word();
    UUID longBody = UUID.randomUUID();
    String body = ("A <b>long</b> body that goes on. ").repeat(30);
    await(engine.apply(List.of(published(longBody, author, 1, other, body, List.of(), T0))));
    SearchResult.Hit start = awaitHits(query(other), 1).hits().get(0);
    assertThat(start.snippet()).startsWith("A &lt;b&gt;long&lt;&#x2F;b&gt; body").doesNotContain("<")
        .endsWith("…");
    String[] words = start.snippet().substring(0, start.snippet().length() - 1).split(" ");
    assertThat(words[words.length - 1]).as("cut at a whole word")
        .isIn("A", "&lt;b&gt;long&lt;&#x2F;b&gt;", "body", "that", "goes", "on.");
    assertThat(start.snippet().replaceAll("&[^;]+;", "_").length()).isBetween(150, 201);

    // no body at all: the title, highlighted
    String third = word();
    UUID noBody = UUID.randomUUID();
    await(engine.apply(List.of(published(noBody, author, 1, "x<y " + third, "", List.of(), T0))));
    assertThat(awaitHits(query(third), 1).hits().get(0).snippet()).isEqualTo("x&lt;y <mark>" + third + "</mark>");
  }

  @Test
  void olderOrRepeatedEventsDoNotOverwriteNewer() throws Exception {
    String author = word();
    String v1 = word();
    String v2 = word();
    String v3 = word();
    String replay = word();
    UUID blog = UUID.randomUUID();
    // out of order within one batch, then an older one and a replay of the newest in later batches
    await(engine.apply(List.of(
        published(blog, author, 1, v1, "body", List.of(), T0),
        updated(blog, author, 3, v3, "body"))));
    await(engine.apply(List.of(updated(blog, author, 2, v2, "body"))));
    await(engine.apply(List.of(updated(blog, author, 3, replay, "body"), updated(blog, author, 2, v2, "body"))));

    assertThat(await(engine.list(100_000))).contains(new IndexedBlog(blog.toString(), author, 3, false));
    // list refreshed the index: what search sees now is final
    assertThat(search(query(v3)).hits()).extracting(SearchResult.Hit::blogId).containsExactly(blog.toString());
    for (String stale : List.of(v1, v2, replay)) {
      assertThat(search(query(stale)).total()).as(stale).isZero();
    }
  }

  @Test
  void deletedBlogStaysDeletedWhenAnOlderUpdateArrivesLate() throws Exception {
    String author = word();
    String word = word();
    UUID blog = UUID.randomUUID();
    await(engine.apply(List.of(published(blog, author, 1, word, "body", List.of("t"), T0),
        updated(blog, author, 2, word + " again", "body"))));
    awaitHits(query(word), 1);

    await(engine.apply(List.of(deleted(blog, author, 3))));
    Awaitility.await().atMost(VISIBLE).until(() -> search(query(word)).total() == 0);

    await(engine.apply(List.of(updated(blog, author, 2, word + " resurrected", "body"))));
    assertThat(await(engine.list(100_000))).contains(new IndexedBlog(blog.toString(), author, 3, true));
    assertThat(search(query(word)).total()).isZero();
    assertThat(search(new SearchQuery("", author, null, 10, 0)).total()).isZero();

    // a delete that overtakes the publish it follows
    UUID early = UUID.randomUUID();
    await(engine.apply(List.of(deleted(early, author, 2))));
    await(engine.apply(List.of(published(early, author, 1, word, "body", List.of(), T0))));
    assertThat(await(engine.list(100_000))).contains(new IndexedBlog(early.toString(), author, 2, true));
    assertThat(search(query(word)).total()).isZero();
  }

  @Test
  void queriesOpenSearchCannotRunAreInvalidQueries() {
    for (String bad : List.of("title:(unclosed", "publishedAt:notadate")) {
      Throwable failure = failure(engine.search(query(bad)));
      assertThat(failure).as(bad).isInstanceOf(Refusal.class);
      Refusal error = (Refusal) failure;
      assertThat(error.kind()).isEqualTo(Refusal.Kind.INVALID);
      assertThat(error.code()).isEqualTo("invalid_query");
      assertThat(error.field()).isEqualTo("q");
      assertThat(error.getMessage()).startsWith("q is not a valid query: ").doesNotContain("\n");
    }
  }

  @Test
  void listsBlogsWithVersionsUpToALimit() throws Exception {
    String author = word();
    List<BlogEvent> events = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      events.add(published(UUID.randomUUID(), author, 1, "listed", "body", List.of(), T0));
    }
    await(engine.apply(events));
    List<IndexedBlog> all = await(engine.list(100_000));
    assertThat(all).extracting(IndexedBlog::blogId).isSorted().doesNotHaveDuplicates();
    assertThat(all).filteredOn(blog -> blog.authorId().equals(author)).hasSize(5)
        .allMatch(blog -> blog.version() == 1 && !blog.deleted());
    assertThat(await(engine.list(3))).hasSize(3).isEqualTo(all.subList(0, 3));
    assertThat(await(engine.list(0))).isEmpty();
  }

  @Test
  void aDeletedIndexIsGoneAndStartsEmptyAgain() throws Exception {
    OpenSearchEngine throwaway = new OpenSearchEngine(vertx, server.baseUrl(), "throwaway-test", 0);
    try {
      await(throwaway.start());
      await(throwaway.apply(List.of(published(UUID.randomUUID(), "ada", 1, "kept until deleted", "b", List.of(), T0))));
      assertThat(await(throwaway.list(10))).hasSize(1);
      await(throwaway.deleteIndex());
      HttpResponse<String> gone = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(server.baseUrl() + "/throwaway-test")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(gone.statusCode()).as(gone.body()).isEqualTo(404);
      await(throwaway.deleteIndex());
      await(throwaway.start());
      assertThat(await(throwaway.list(10))).isEmpty();
    } finally {
      await(throwaway.deleteIndex());
      throwaway.close();
    }
  }

  @Test
  void failsTheBatchWhenOpenSearchRefusesDocuments() throws Exception {
    OpenSearchEngine blocked = new OpenSearchEngine(vertx, server.baseUrl(), "blocked-test", 200);
    try {
      await(blocked.start());
      HttpResponse<String> block = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(server.baseUrl() + "/blocked-test/_settings"))
              .header("content-type", "application/json")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"index.blocks.write\": true}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(block.statusCode()).as(block.body()).isEqualTo(200);

      Throwable failure = failure(blocked.apply(List.of(
          published(UUID.randomUUID(), "ada", 1, "t", "b", List.of(), T0))));
      assertThat(failure).isNotNull().isNotInstanceOf(Refusal.class);
      assertThat(failure.getMessage()).contains("cluster_block_exception");
      await(blocked.apply(List.of()));
    } finally {
      blocked.close();
    }
  }

  @Test
  void refreshRequestsArePacedAndTheLastBatchStillBecomesSearchable() throws Exception {
    OpenSearchEngine paced = new OpenSearchEngine(vertx, server.baseUrl(), "paced-test", 1_000);
    try {
      await(paced.start());
      String word = word();
      long refreshesBefore = refreshes("paced-test");
      long start = System.nanoTime();
      int batches = 20;
      for (int i = 0; i < batches; i++) {
        await(paced.apply(List.of(published(UUID.randomUUID(), "ada", 1, word + " paced" + i, "b", List.of(), T0))));
      }
      Awaitility.await().atMost(VISIBLE).until(() -> await(paced.search(query(word))).total() == batches);
      double seconds = (System.nanoTime() - start) / 1e9;
      long refreshes = refreshes("paced-test") - refreshesBefore;
      // one paced request a second, the index's own 1 s refresh, and one of each at the edges; unpaced, each
      // of the 20 bulks would have asked for its own
      assertThat(refreshes).as("refreshes in %.1f s", seconds).isLessThanOrEqualTo(2 * (long) Math.ceil(seconds) + 2);
    } finally {
      paced.close();
    }
  }

  // Refreshes of the index so far, from OpenSearch's own statistics.
  private static long refreshes(String index) throws Exception {
    HttpResponse<String> stats = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/" + index + "/_stats/refresh")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
    return new io.vertx.core.json.JsonObject(stats.body()).getJsonObject("_all").getJsonObject("primaries")
        .getJsonObject("refresh").getLong("external_total");
  }

  @Test
  void aRefusedDocumentFailsOnlyItsOwnBatchWhenBatchesShareABulk() throws Exception {
    String word = word();
    // applied without waiting: the first goes out alone, the others queue up and share the next bulk
    List<Future<Void>> batches = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<BlogEvent> batch = new java.util.ArrayList<>(List.of(
          published(UUID.randomUUID(), "ada", 1, word + " batch" + i, "b", List.of(), T0)));
      if (i == 3) {
        // a keyword longer than Lucene's 32,766-byte term limit: OpenSearch refuses this document for its data
        batch.add(published(UUID.randomUUID(), "ada", 1, word + " immense", "b", List.of("x".repeat(40_000)), T0));
      }
      batches.add(engine.apply(batch));
    }
    for (int i = 0; i < 5; i++) {
      if (i == 3) {
        assertThat(failure(batches.get(i))).as("batch %d", i).isInstanceOf(dev.fanout.consumer.PermanentFailure.class)
            .hasMessageContaining("1 of 2 documents failed");
      } else {
        await(batches.get(i));
      }
    }
    // every batch but the refused one is indexed, including batch 3's good document
    SearchResult found = awaitHits(query(word), 5);
    assertThat(found.hits()).extracting(SearchResult.Hit::title).doesNotContain(word + " immense");
  }

  @Test
  void aWriteBlockedIndexIsAnUnavailableSinkSoItsGroupRetriesPausesAndDeadLettersNothing() throws Exception {
    String index = "write-blocked-test";
    OpenSearchEngine blocked = new OpenSearchEngine(vertx, server.baseUrl(), index, 200);
    EventStream stream = await(StreamBackends.open(vertx, "memory", new JsonObject()));
    LocalGroup group = null;
    try {
      await(blocked.start());
      blockWrites(index, true);
      // the engine alone: each refused item says the index is blocked, which is about the index, not the data
      Throwable refused = failure(blocked.apply(List.of(published(UUID.randomUUID(), "ada", 1, "t", "b", List.of(), T0))));
      assertThat(refused).hasMessageContaining("cluster_block_exception").isInstanceOf(SinkUnavailable.class);
      assertThat(Failures.isTransient(refused)).isTrue();

      // a group over it: retries, its circuit opens and pauses it; nothing is dead-lettered
      String topic = "blocked-events";
      await(stream.admin().createTopic(topic, 2, 1));
      await(stream.admin().createTopic(DeadLetters.topic(topic, "search"), 1, 1));
      group = new LocalGroup(vertx, stream, topic, GroupSpec.of("search", blocked::apply, new ResiliencePolicy(3, 10, 500)),
          SinkInterceptor.NONE, new SimpleMeterRegistry(), GroupTrail.NONE);
      await(group.addMember());
      String author = word();
      for (int i = 0; i < 6; i++) {
        BlogEvent event = published(UUID.randomUUID(), author, 1, "blocked " + i, "b", List.of(), T0);
        await(stream.send(topic, author + "-" + i, Map.of(), event.encode()));
      }
      LocalGroup running = group;
      List<String> circuits = new java.util.concurrent.CopyOnWriteArrayList<>();
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
        circuits.add(running.circuit());
        assertThat(running.status().retries()).isGreaterThanOrEqualTo(2);
        assertThat(circuits).contains("OPEN");
      });
      assertThat(group.status().deadLetters()).as("dead letters while the index is blocked").isZero();
      assertThat(group.status().processed()).isZero();

      blockWrites(index, false);
      Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(running.status().processed()).isEqualTo(6);
        assertThat(running.circuit()).isEqualTo("CLOSED");
      });
      assertThat(await(blocked.list(100))).filteredOn(blog -> blog.authorId().equals(author)).hasSize(6);
      assertThat(group.status().deadLetters()).isZero();
      long deadLetterRecords = await(stream.admin().listTopics()).stream()
          .filter(t -> t.name().equals(DeadLetters.topic(topic, "search")))
          .flatMap(t -> t.partitions().stream()).mapToLong(p -> p.endOffset()).sum();
      assertThat(deadLetterRecords).isZero();
    } finally {
      if (group != null) {
        await(group.stop());
      }
      await(stream.close());
      await(blocked.deleteIndex());
      blocked.close();
    }
  }

  private static void blockWrites(String index, boolean blocked) throws Exception {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/" + index + "/_settings"))
            .header("content-type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"index.blocks.write\": " + blocked + "}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  // --- helpers

  private static String word() {
    return "w" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
  }

  private static SearchQuery query(String text) {
    return new SearchQuery(text, null, null, 10, 0);
  }

  private static SearchResult search(SearchQuery query) throws Exception {
    return await(engine.search(query));
  }

  /** Waits for the refresh that makes {@code count} hits visible. */
  private static SearchResult awaitHits(SearchQuery query, int count) {
    return Awaitility.await().atMost(VISIBLE).until(() -> search(query), result -> result.total() == count);
  }

  private static BlogEvent published(UUID blog, String author, int version, String title, String body,
                                     List<String> tags, Instant publishedAt) {
    return new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, blog, author, version, title, body,
        tags, publishedAt, Instant.now());
  }

  private static BlogEvent updated(UUID blog, String author, int version, String title, String body) {
    return new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogUpdated, blog, author, version, title, body,
        List.of(), T0, Instant.now());
  }

  private static BlogEvent deleted(UUID blog, String author, int version) {
    return new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogDeleted, blog, author, version, null, null,
        List.of(), null, Instant.now());
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static Throwable failure(Future<?> future) {
    return catchThrowable(() -> await(future));
  }
}
