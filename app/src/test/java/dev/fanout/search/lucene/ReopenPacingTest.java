package dev.fanout.search.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import dev.fanout.events.BlogEvent;
import dev.fanout.search.SearchQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --lucene-refresh-ms}: reopens of the reader are paced, batches written meanwhile share one reopen,
 * and an applied batch is searchable when its future completes.
 */
class ReopenPacingTest {

  private static final long REFRESH_MILLIS = 400;
  /** Batches applied at once; written well within one REFRESH_MILLIS, so one or two reopens serve them. */
  private static final int BATCHES = 20;

  private Path dir;

  @AfterEach
  void cleanUp() throws Exception {
    RunningApp.deleteRecursively(dir);
  }

  private static BlogEvent published(String word) {
    return new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(), "author", 1,
        word + " title", "body", List.of("t"), Instant.parse("2026-11-27T10:00:00Z"), Instant.now());
  }

  @Test
  void aBatchWrittenRightAfterAReopenWaitsOutTheIntervalAndIsThenSearchable() throws Exception {
    dir = Files.createTempDirectory("fanout-lucene-pacing");
    Vertx vertx = Vertx.vertx();
    try {
      LuceneSearchEngine engine = new LuceneSearchEngine(vertx, dir.resolve("search"), REFRESH_MILLIS);
      RunningApp.await(engine.start());
      long reopens = engine.index().reopens();
      long before = System.nanoTime();
      RunningApp.await(engine.apply(List.of(published("first")))); // its reopen started after `before`
      RunningApp.await(engine.apply(List.of(published("second"))));
      // the second reopen cannot start sooner than REFRESH_MILLIS after the first one started
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(REFRESH_MILLIS));
      assertThat(RunningApp.await(engine.search(query("second"))).total()).isEqualTo(1);
      // one after the other, each batch needs a reopen of its own
      assertThat(engine.index().reopens() - reopens).isEqualTo(2);

      // many batches at once: each is searchable when its future completes, whichever reopen served it
      reopens = engine.index().reopens();
      List<Future<Void>> applied = new ArrayList<>();
      for (int i = 0; i < BATCHES; i++) {
        applied.add(engine.apply(List.of(published("many" + i))));
      }
      for (int i = 0; i < BATCHES; i++) {
        RunningApp.await(applied.get(i));
        assertThat(RunningApp.await(engine.search(query("many" + i))).total()).as("batch %d", i).isEqualTo(1);
      }
      // they were written while the first of their reopens waited out the interval, so they share it
      assertThat(engine.index().reopens() - reopens).as("reopens for %d batches applied at once", BATCHES)
          .isBetween(1L, (long) BATCHES / 4);
      RunningApp.await(engine.close());
    } finally {
      RunningApp.await(vertx.close());
    }
  }

  private static SearchQuery query(String word) {
    return new SearchQuery(word, null, null, 10, 0);
  }
}
