package dev.fanout.search.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.app.RunningApp;
import dev.fanout.events.BlogEvent;
import dev.fanout.search.SearchEngine.IndexedBlog;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch the engine acknowledges is durable, even when an earlier try of the same batch wrote it to the
 * index but failed to get it onto the translog's disk, and even when the same batch is written again before
 * the first try's fsync. No periodic commit runs in these tests: only the translog makes a batch durable.
 */
class DurableAcknowledgementTest {

  private Path dir;
  private Vertx vertx;
  private LuceneSearchEngine engine;

  @BeforeEach
  void startEngine() throws Exception {
    dir = Files.createTempDirectory("fanout-lucene-durable");
    vertx = Vertx.vertx();
    engine = new LuceneSearchEngine(vertx, dir.resolve("search"), 0, 3_600_000);
    RunningApp.await(engine.start());
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      RunningApp.await(vertx.close());
    } finally {
      RunningApp.deleteRecursively(dir);
    }
  }

  private static BlogEvent published(String title) {
    return new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(), "author", 1, title,
        "body of " + title, List.of("t"), Instant.parse("2026-12-01T10:00:00Z"), Instant.now());
  }

  /** Fails the first append or the first fsync it is asked about, then lets everything through and counts. */
  private static final class FailOnce implements Translog.Faults {
    private final boolean append;
    private boolean failed;
    final AtomicInteger syncsAfterFailure = new AtomicInteger();

    FailOnce(boolean append) {
      this.append = append;
    }

    @Override
    public synchronized void beforeAppend() throws IOException {
      if (append && !failed) {
        failed = true;
        throw new IOException("append failed for the test");
      }
    }

    @Override
    public synchronized void beforeSync() throws IOException {
      if (!append && !failed) {
        failed = true;
        throw new IOException("fsync failed for the test");
      }
      if (failed) {
        syncsAfterFailure.incrementAndGet();
      }
    }
  }

  @Test
  void aBatchRetriedAfterItsAppendFailedIsInTheTranslogWhenAcknowledged() throws Exception {
    BlogEvent event = published("appended");
    engine.index().translog().faults(new FailOnce(true));
    assertThatThrownBy(() -> RunningApp.await(engine.apply(List.of(event))))
        .hasRootCauseMessage("append failed for the test");
    RunningApp.await(engine.apply(List.of(event))); // the consumer's retry, acknowledged

    engine.crashForTest(); // before any commit: only the translog can bring the batch back
    LuceneSearchEngine restarted = new LuceneSearchEngine(vertx, dir.resolve("search"), 0);
    RunningApp.await(restarted.start());
    assertThat(RunningApp.await(restarted.list(10)))
        .extracting(IndexedBlog::blogId, IndexedBlog::version)
        .containsExactly(Tuple.tuple(event.blogId().toString(), 1));
    RunningApp.await(restarted.close());
  }

  @Test
  void aBatchRetriedAfterItsFsyncFailedIsFsyncedBeforeItIsAcknowledged() throws Exception {
    BlogEvent event = published("fsynced");
    FailOnce faults = new FailOnce(false);
    engine.index().translog().faults(faults);
    assertThatThrownBy(() -> RunningApp.await(engine.apply(List.of(event))))
        .hasRootCauseMessage("fsync failed for the test");
    RunningApp.await(engine.apply(List.of(event)));
    assertThat(faults.syncsAfterFailure).as("fsyncs after the failed one").hasPositiveValue();
    RunningApp.await(engine.close());
  }

  @Test
  void theWritesOfABatchWhoseAppendFailedMakeACommitDueAndOnceCommittedNeedNoAppend() throws Exception {
    LuceneIndex index = engine.index();
    List<BlogEvent> batch = List.of(published("committed"));
    index.translog().faults(new FailOnce(true));
    assertThatThrownBy(() -> index.write(batch)).hasMessage("append failed for the test");
    assertThat(index.commitDue()).as("commit due").isTrue();
    index.commit(); // on the test thread, as the periodic commit would on its worker
    assertThat(index.write(batch).translogPosition()).as("translog position to sync").isZero();
    RunningApp.await(engine.close());
  }

  @Test
  void aDuplicateWrittenBeforeTheFirstIsDurableAndVisibleWaitsForBoth() throws Exception {
    LuceneIndex index = engine.index();
    List<BlogEvent> batch = List.of(published("first"), published("second"));
    // on the test thread, as on a worker: the duplicate is written while the first is neither fsynced nor visible
    LuceneIndex.Batch first = index.write(batch);
    LuceneIndex.Batch duplicate = index.write(batch);
    assertThat(duplicate.translogPosition()).as("translog position to sync")
        .isGreaterThanOrEqualTo(first.translogPosition());
    assertThat(duplicate.lastWrite()).as("write to see").isGreaterThanOrEqualTo(first.lastWrite());

    // once the first is both, a duplicate has nothing to wait for
    index.sync(first.translogPosition());
    index.reopen(first.lastWrite());
    LuceneIndex.Batch late = index.write(batch);
    assertThat(late.translogPosition()).isZero();
    assertThat(late.lastWrite()).isZero();
    RunningApp.await(engine.close());
  }
}
