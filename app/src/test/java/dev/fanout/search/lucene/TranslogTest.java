package dev.fanout.search.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import dev.fanout.events.BlogEvent;
import dev.fanout.search.SearchEngine.IndexedBlog;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Lucene index's write-ahead log, and the engine's recovery from it after a crash. */
class TranslogTest {

  private Path dir;

  @AfterEach
  void cleanUp() throws Exception {
    RunningApp.deleteRecursively(dir);
  }

  private static BlogEvent event(String title, int version) {
    return new BlogEvent(UUID.randomUUID(), version == 1 ? BlogEvent.Type.BlogPublished : BlogEvent.Type.BlogUpdated,
        UUID.nameUUIDFromBytes(title.getBytes()), "author", version, title, "body of " + title, List.of("t"),
        Instant.parse("2026-11-26T10:00:00Z"), Instant.now());
  }

  @Test
  void readsBackWhatWasAppendedFromAGenerationOnAndStopsAtATornRecord() throws Exception {
    dir = Files.createTempDirectory("fanout-translog");
    BlogEvent a = event("a", 1);
    BlogEvent b = event("b", 1);
    BlogEvent c = event("c", 2);
    try (Translog log = new Translog(dir)) {
      long first = log.generation();
      long end = log.append(List.of(a, b));
      log.sync(end);
      long second = log.roll();
      assertThat(second).isEqualTo(first + 1);
      log.sync(log.append(List.of(c)));
      assertThat(log.readFrom(first)).containsExactly(a, b, c);
      assertThat(log.readFrom(second)).containsExactly(c);
      log.deleteBelow(second);
      assertThat(log.readFrom(0)).containsExactly(c);
    }
    // a crash in the middle of a record: what came before it is read, the torn rest is not
    try (var files = Files.list(dir)) {
      Path last = files.sorted().reduce((x, y) -> y).orElseThrow();
      Files.write(last, new byte[] {0, 0, 1, 0, '{', '"'}, StandardOpenOption.APPEND);
    }
    try (Translog reopened = new Translog(dir)) {
      assertThat(reopened.readFrom(0)).containsExactly(c);
    }
  }

  @Test
  void anAcknowledgedBatchSurvivesACrashBeforeAnyCommit() throws Exception {
    dir = Files.createTempDirectory("fanout-lucene-crash");
    Vertx vertx = Vertx.vertx();
    try {
      Path index = dir.resolve("search");
      // no periodic commit during the test: only the translog can bring the batches back
      LuceneSearchEngine engine = new LuceneSearchEngine(vertx, index, 0, 3_600_000);
      RunningApp.await(engine.start());
      BlogEvent published = event("durable", 1);
      BlogEvent updated = event("durable", 2);
      RunningApp.await(engine.apply(List.of(published)));
      RunningApp.await(engine.apply(List.of(updated, event("second", 1))));
      // drop all that was not committed, as a kill would; the periodic commit may not have run yet
      engine.crashForTest();

      LuceneSearchEngine restarted = new LuceneSearchEngine(vertx, index, 0);
      RunningApp.await(restarted.start());
      List<IndexedBlog> blogs = RunningApp.await(restarted.list(100));
      assertThat(blogs).extracting(IndexedBlog::blogId, IndexedBlog::version).containsExactlyInAnyOrder(
          org.assertj.core.groups.Tuple.tuple(updated.blogId().toString(), 2),
          org.assertj.core.groups.Tuple.tuple(event("second", 1).blogId().toString(), 1));
      RunningApp.await(restarted.close());
    } finally {
      RunningApp.await(vertx.close());
    }
  }
}
