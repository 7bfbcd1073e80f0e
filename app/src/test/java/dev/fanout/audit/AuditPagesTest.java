package dev.fanout.audit;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.counter.AuthorCounter;
import dev.fanout.db.TestDatabase;
import dev.fanout.db.TransactionBatcher;
import dev.fanout.events.BlogEvent;
import dev.fanout.outbox.RelaySignal;
import dev.fanout.publisher.BlogDraft;
import dev.fanout.publisher.BlogStore;
import dev.fanout.search.lucene.LuceneSearchEngine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The audit on its own, over a real PostgreSQL and a real Lucene index, with pages of two rows so that
 * every walk crosses many page boundaries: the blogs against the index, and the authors of the blogs
 * table against the authors of the counter, each side with authors the other lacks.
 */
class AuditPagesTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();

  private static Path indexDir;
  private static LuceneSearchEngine index;
  private static BlogStore blogs;
  private static AuthorCounter counter;

  @BeforeAll
  static void start() throws Exception {
    indexDir = Files.createTempDirectory("fanout-audit-pages");
    index = new LuceneSearchEngine(DB.vertx(), indexDir, 0);
    await(index.start());
    blogs = new BlogStore(DB.database().pool(), new TransactionBatcher(DB.database().pool(), 64, 4, 1000),
        new RelaySignal(DB.vertx()));
    counter = new AuthorCounter(DB.database().pool());
  }

  @AfterAll
  static void stop() throws Exception {
    await(index.close());
    dev.fanout.app.RunningApp.deleteRecursively(indexDir);
  }

  // The store is used from one context, as the app uses it from its HTTP verticle's.
  private static <T> T onContext(Supplier<Future<T>> action) throws Exception {
    Context context = DB.vertx().getOrCreateContext();
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> action.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result.get(60, TimeUnit.SECONDS);
  }

  private static UUID publish(String author) throws Exception {
    BlogDraft draft = BlogDraft.parse(new JsonObject().put("authorId", author).put("title", "by " + author)
        .put("body", "text"), null);
    return onContext(() -> blogs.publish(draft, null)).blogId();
  }

  private static List<BlogEvent> outbox() throws Exception {
    List<BlogEvent> events = new ArrayList<>();
    for (Row row : await(DB.database().pool().query("SELECT payload FROM outbox ORDER BY id").execute())) {
      events.add(BlogEvent.decode(row.getBuffer("payload").getBytes()));
    }
    return events;
  }

  @Test
  void findsEveryGapAcrossPageBoundaries() throws Exception {
    List<UUID> published = new ArrayList<>();
    for (int author = 1; author <= 7; author++) {
      published.add(publish("author-" + author));
    }
    UUID uncounted = publish("author-3");
    UUID unindexed = publish("author-5");
    onContext(() -> blogs.delete(published.get(1), "author-2")); // author-2 has no live blog left: counted 0, expected 0

    List<BlogEvent> events = outbox();
    await(counter.apply(events.stream().filter(e -> !e.blogId().equals(uncounted)).toList()));
    Instant now = Instant.now();
    // an author only the counter knows: counted a blog the table never had
    await(counter.apply(List.of(new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(),
        "zz-ghost", 1, "t", "b", List.of(), now, now))));
    await(index.apply(events.stream().filter(e -> !e.blogId().equals(unindexed)).toList()));

    JsonObject report = await(new Audit(DB.database().pool(), blogs, counter, index, 2).run()).toJson();

    assertThat(report.getJsonObject("checked")).isEqualTo(new JsonObject()
        .put("blogs", 9).put("authors", 8).put("indexed", 8));
    JsonArray discrepancies = report.getJsonArray("discrepancies");
    assertThat(discrepancies).containsExactlyInAnyOrder(
        new JsonObject().put("kind", "missing_from_index").put("blogId", unindexed.toString())
            .put("authorId", "author-5").put("version", 1).put("deleted", false),
        new JsonObject().put("kind", "count_mismatch").put("authorId", "author-3").put("expected", 2L)
            .put("counted", 1L),
        new JsonObject().put("kind", "count_mismatch").put("authorId", "zz-ghost").put("expected", 0L)
            .put("counted", 1L));
    assertThat(report.getJsonObject("truncated"))
        .isEqualTo(new JsonObject().put("index", false).put("discrepancies", false));
  }
}
