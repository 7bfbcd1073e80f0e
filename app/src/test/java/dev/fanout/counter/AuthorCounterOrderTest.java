package dev.fanout.counter;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import dev.fanout.db.TestDatabase;
import dev.fanout.events.BlogEvent;
import java.time.Instant;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The counter on a real PostgreSQL, fed a blog's events in every order and with repeats, as gap healing,
 * dead-letter replays and audit repairs deliver them: the count always ends where the newest event says.
 */
class AuthorCounterOrderTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();

  private static BlogEvent event(BlogEvent.Type type, UUID blog, String author, int version) {
    Instant now = Instant.now();
    boolean content = type != BlogEvent.Type.BlogDeleted;
    return new BlogEvent(UUID.randomUUID(), type, blog, author, version, content ? "t" + version : null,
        content ? "b" : null, List.of(), content ? now : null, now);
  }

  private static List<List<BlogEvent>> permutations(List<BlogEvent> events) {
    if (events.isEmpty()) {
      return List.of(List.of());
    }
    List<List<BlogEvent>> all = new ArrayList<>();
    for (BlogEvent first : events) {
      List<BlogEvent> rest = new ArrayList<>(events);
      rest.remove(first);
      for (List<BlogEvent> tail : permutations(rest)) {
        List<BlogEvent> order = new ArrayList<>();
        order.add(first);
        order.addAll(tail);
        all.add(order);
      }
    }
    return all;
  }

  @Test
  void aPublishThatComesBackAfterItsDeleteDoesNotCountTheBlogAgain() throws Exception {
    AuthorCounter counter = new AuthorCounter(DB.database().pool());
    UUID blog = UUID.randomUUID();
    BlogEvent published = event(BlogEvent.Type.BlogPublished, blog, "late-publish", 1);
    BlogEvent deleted = event(BlogEvent.Type.BlogDeleted, blog, "late-publish", 2);

    await(counter.apply(List.of(deleted)));
    await(counter.apply(List.of(published)));

    assertThat(await(counter.count("late-publish"))).as("a deleted blog, its publish replayed late").isZero();
  }

  @Test
  void everyOrderOfABlogsEventsEndsAtTheSameCount() throws Exception {
    AuthorCounter counter = new AuthorCounter(DB.database().pool());
    int run = 0;
    for (boolean deletedInTheEnd : List.of(true, false)) {
      List<BlogEvent.Type> types = deletedInTheEnd
          ? List.of(BlogEvent.Type.BlogPublished, BlogEvent.Type.BlogUpdated, BlogEvent.Type.BlogDeleted)
          : List.of(BlogEvent.Type.BlogPublished, BlogEvent.Type.BlogUpdated, BlogEvent.Type.BlogUpdated);
      UUID template = UUID.randomUUID();
      List<BlogEvent> history = new ArrayList<>();
      for (int v = 1; v <= types.size(); v++) {
        history.add(event(types.get(v - 1), template, "x", v));
      }
      for (List<BlogEvent> order : permutations(history)) {
        // a blog of its own per order, each event delivered, then delivered again one batch at a time
        String author = "order-" + run++;
        UUID blog = UUID.randomUUID();
        List<BlogEvent> events = order.stream().map(e -> new BlogEvent(UUID.randomUUID(), e.type(), blog, author,
            e.version(), e.title(), e.body(), e.tags(), e.publishedAt(), e.occurredAt())).toList();
        for (BlogEvent e : events) {
          await(counter.apply(List.of(e)));
        }
        await(counter.apply(events));
        for (BlogEvent e : events) {
          await(counter.apply(List.of(e, e)));
        }
        assertThat(await(counter.count(author))).as("versions in the order %s",
                order.stream().map(e -> e.type() + "@" + e.version()).toList())
            .isEqualTo(deletedInTheEnd ? 0 : 1);
      }
    }
  }

  @Test
  void oneBatchHoldingEveryEventOfABlogCountsItsNewestState() throws Exception {
    AuthorCounter counter = new AuthorCounter(DB.database().pool());
    UUID live = UUID.randomUUID();
    UUID gone = UUID.randomUUID();
    await(counter.apply(List.of(
        event(BlogEvent.Type.BlogDeleted, gone, "one-batch", 3),
        event(BlogEvent.Type.BlogUpdated, live, "one-batch", 2),
        event(BlogEvent.Type.BlogPublished, gone, "one-batch", 1),
        event(BlogEvent.Type.BlogPublished, live, "one-batch", 1),
        event(BlogEvent.Type.BlogUpdated, gone, "one-batch", 2))));
    assertThat(await(counter.count("one-batch"))).isEqualTo(1);
  }

  @Test
  void concurrentBatchesInAnyOrderEndAtTheLiveCount() throws Exception {
    AuthorCounter counter = new AuthorCounter(DB.database().pool());
    List<BlogEvent> events = new ArrayList<>();
    for (int b = 0; b < 200; b++) {
      UUID blog = UUID.randomUUID();
      events.add(event(BlogEvent.Type.BlogPublished, blog, "concurrent", 1));
      events.add(event(BlogEvent.Type.BlogUpdated, blog, "concurrent", 2));
      if (b % 4 == 0) {
        events.add(event(BlogEvent.Type.BlogDeleted, blog, "concurrent", 3));
      }
    }
    // every event twice, shuffled, in batches that run at once on the pool's connections
    List<BlogEvent> deliveries = new ArrayList<>(events);
    deliveries.addAll(events);
    Collections.shuffle(deliveries, new Random(7));
    List<Future<Void>> batches = new ArrayList<>();
    for (int i = 0; i < deliveries.size(); i += 25) {
      batches.add(counter.apply(deliveries.subList(i, Math.min(i + 25, deliveries.size()))));
    }
    // a batch that failed (a lock timeout, say) is retried, as the group's pipeline would, once the others ended
    Future.join(batches).otherwiseEmpty().toCompletionStage().toCompletableFuture().get();
    for (int i = 0; i < batches.size(); i++) {
      if (RunningApp.failure(batches.get(i)) != null) {
        await(counter.apply(deliveries.subList(i * 25, Math.min(i * 25 + 25, deliveries.size()))));
      }
    }
    assertThat(await(counter.count("concurrent"))).isEqualTo(150);
  }
}
