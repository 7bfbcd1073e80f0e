package dev.fanout.publisher;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.core.Refusal;
import dev.fanout.db.TestDatabase;
import dev.fanout.db.TransactionBatcher;
import dev.fanout.events.BlogEvent;
import dev.fanout.outbox.RelaySignal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Publishes without an idempotency key, on a real PostgreSQL: those that arrive together share two statements. */
class PlainPublishesTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();

  @Test
  void publishesThatArriveTogetherAreWrittenInOneTransactionInArrivalOrder() throws Exception {
    BlogStore store = new BlogStore(DB.database().pool(), new TransactionBatcher(DB.database().pool(), 64, 1, 1000),
        new RelaySignal(DB.vertx()));
    Context context = DB.vertx().getOrCreateContext();
    CompletableFuture<List<Future<BlogStore.Written>>> submitted = new CompletableFuture<>();
    context.runOnContext(v -> {
      List<Future<BlogStore.Written>> writes = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        writes.add(store.publish(BlogDraft.parse(new JsonObject().put("authorId", "plain-" + (i % 3))
            .put("title", "together " + i).put("body", "b").put("tags", List.of("t" + i, "shared")), null), null));
      }
      submitted.complete(writes);
    });
    List<UUID> blogs = new ArrayList<>();
    for (Future<BlogStore.Written> write : submitted.get(30, TimeUnit.SECONDS)) {
      blogs.add(await(write).blogId());
    }
    UUID[] ids = blogs.toArray(UUID[]::new);
    Row row = await(DB.database().pool().preparedQuery(
        "SELECT count(*) AS n, count(DISTINCT xmin::text) AS transactions FROM blogs WHERE blog_id = ANY($1)")
        .execute(Tuple.tuple().addArrayOfUUID(ids))).iterator().next();
    assertThat(row.getLong("n")).isEqualTo(20);
    assertThat(row.getLong("transactions")).as("one group, one transaction").isEqualTo(1);

    List<UUID> outboxOrder = new ArrayList<>();
    for (Row r : await(DB.database().pool().query("SELECT payload FROM outbox WHERE event_key LIKE 'plain-%' ORDER BY id").execute())) {
      outboxOrder.add(BlogEvent.decode(r.getBuffer("payload").getBytes()).blogId());
    }
    assertThat(outboxOrder).as("outbox ids follow arrival").containsExactlyElementsOf(blogs);
    JsonObject stored = await(store.find(blogs.get(7)));
    assertThat(stored.getString("title")).isEqualTo("together 7");
    assertThat(stored.getJsonArray("tags").getList()).containsExactly("t7", "shared");
    assertThat(stored.getString("publishedAt")).isEqualTo(stored.getString("updatedAt"));
  }

  @Test
  void beyondTheWaitingBoundAPublishIsRefusedAtOnceAsOverloaded() throws Exception {
    PlainPublishes publishes = new PlainPublishes(new TransactionBatcher(DB.database().pool(), 64, 1, 1000),
        new RelaySignal(DB.vertx()), 3);
    Context context = DB.vertx().getOrCreateContext();
    CompletableFuture<List<Future<BlogStore.Written>>> submitted = new CompletableFuture<>();
    context.runOnContext(v -> {
      List<Future<BlogStore.Written>> writes = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Instant now = Instant.now();
        writes.add(publishes.publish(new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(),
            "bounded", 1, "t" + i, "b", List.of(), now, now)));
      }
      submitted.complete(writes);
    });
    List<Future<BlogStore.Written>> writes = submitted.get(30, TimeUnit.SECONDS);
    assertThat(writes.get(3).failed()).as("the fourth, while three wait").isTrue();
    assertThat(((Refusal) writes.get(3).cause()).kind()).isEqualTo(Refusal.Kind.OVERLOADED);
    for (int i = 0; i < 3; i++) {
      await(writes.get(i));
    }
    // once their group started, there is room again
    CompletableFuture<Future<BlogStore.Written>> later = new CompletableFuture<>();
    context.runOnContext(v -> later.complete(publishes.publish(new BlogEvent(UUID.randomUUID(),
        BlogEvent.Type.BlogPublished, UUID.randomUUID(), "bounded", 1, "later", "b", List.of(), Instant.now(),
        Instant.now()))));
    await(later.get(30, TimeUnit.SECONDS));
  }
}
