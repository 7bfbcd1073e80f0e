package dev.fanout.search.lucene;

import dev.fanout.events.BlogEvent;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchQuery;
import dev.fanout.search.SearchResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.search.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded search engine: a Lucene index under the data directory, in this JVM ({@link LuceneIndex}
 * keeps it; {@link BlogDocuments} says what a blog's document holds; {@link LuceneQueries} searches it).
 *
 * <p>{@link #apply}'s future succeeds once the batch is both visible (a reader that sees it is open) and
 * durable (its translog records are fsynced), with no Lucene commit in between. The index's blocking work
 * runs on worker threads of four kinds: writes, searches and listings on Vert.x's worker pool; reader
 * reopens one at a time on a worker of their own, so that a reopen never waits behind a commit's fsyncs;
 * translog fsyncs one at a time on another; and a Lucene commit every {@value #COMMIT_MILLIS} ms, when
 * anything was written, on a third.
 *
 * <p>{@link #close} stops the periodic commits, commits what was written, closes the workers, then closes
 * the index whether or not that commit succeeded.
 */
public final class LuceneSearchEngine implements SearchEngine {

  private static final Logger LOG = LoggerFactory.getLogger(LuceneSearchEngine.class);

  /**
   * How often the index is committed, when anything was written. A commit's flush holds the writer while
   * a reopen waits (JFR: reopens blocked up to 131 ms); every 5 s instead of every 1 s took the
   * publish-to-searchable p99 at 100/s from 247-253 ms to 124-156 ms (docs/benchmarks.md). The translog
   * keeps what a commit has not covered yet, so only the replay at start grows.
   */
  static final long COMMIT_MILLIS = 5_000;

  private final Vertx vertx;
  private final Path directory;
  // one analyzer for the writer, the query parser and the highlighter, so that a query's words are the index's terms
  private final Analyzer analyzer = new StandardAnalyzer();
  private final LuceneIndex index;
  private final LuceneQueries queries = new LuceneQueries(analyzer);
  // runs commits one at a time, off the event loops and off the writers' worker threads
  private volatile WorkerExecutor commits;
  // runs translog fsyncs one at a time
  private volatile WorkerExecutor syncs;
  private volatile long commitTimer = -1;
  // runs reader reopens one at a time, so that a reopen never waits behind a commit's fsyncs
  private volatile WorkerExecutor refreshes;

  private final long commitMillis;

  /** @param refreshMillis the least time between two reopens of the reader; 0 reopens after every batch; not negative */
  public LuceneSearchEngine(Vertx vertx, Path directory, long refreshMillis) {
    this(vertx, directory, refreshMillis, COMMIT_MILLIS);
  }

  /** With commits every {@code commitMillis} ms instead of {@value #COMMIT_MILLIS}; for tests. */
  LuceneSearchEngine(Vertx vertx, Path directory, long refreshMillis, long commitMillis) {
    this.vertx = vertx;
    this.directory = directory;
    this.index = new LuceneIndex(directory, analyzer, refreshMillis);
    this.commitMillis = commitMillis;
  }

  @Override
  public String name() {
    return "lucene";
  }

  @Override
  public Future<Void> start() {
    return vertx.<Void>executeBlocking(() -> {
      index.open();
      return null;
    }).onSuccess(v -> {
      commits = vertx.createSharedWorkerExecutor("fanout-lucene-commit-" + directory, 1);
      refreshes = vertx.createSharedWorkerExecutor("fanout-lucene-refresh-" + directory, 1);
      syncs = vertx.createSharedWorkerExecutor("fanout-lucene-translog-" + directory, 1);
      commitTimer = vertx.setPeriodic(commitMillis, id -> {
        if (index.commitDue()) {
          commits.executeBlocking(() -> {
            index.commit();
            return null;
          }, false).onFailure(e -> LOG.warn("lucene commit failed, the translog keeps the writes: {}", e.toString()));
        }
      });
    });
  }

  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    return vertx.executeBlocking(() -> index.write(events), false).compose(batch -> Future.all(
        batch.lastWrite() == 0 ? Future.succeededFuture() : visible(batch.lastWrite()),
        batch.translogPosition() == 0 ? Future.succeededFuture() : durable(batch.translogPosition())).mapEmpty());
  }

  // Completes once the translog holds everything up to {@code position} durably.
  private Future<Void> durable(long position) {
    return syncs.executeBlocking(() -> {
      index.sync(position);
      return null;
    }, false);
  }

  // Completes once a reader that sees write number {@code write} is open. Not "ordered": ordered tasks of
  // one context share one queue across executors, which would put every reopen behind the commits. The
  // executor's single thread runs the reopens one at a time, in order, and paces them.
  private Future<Void> visible(long write) {
    return refreshes.executeBlocking(() -> {
      index.reopen(write);
      return null;
    }, false);
  }

  @Override
  public Future<SearchResult> search(SearchQuery query) {
    return vertx.executeBlocking(() -> {
      Query text = queries.text(query.text());
      return index.read(searcher -> queries.search(searcher, query, text));
    }, false);
  }

  @Override
  public Future<Void> ping() {
    return index.opened() ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("the index is not open"));
  }

  @Override
  public Future<List<IndexedBlog>> list(int limit) {
    return vertx.executeBlocking(() -> index.read(searcher -> LuceneQueries.list(searcher, limit)), false);
  }

  @Override
  public Future<Void> close() {
    if (commitTimer >= 0) {
      vertx.cancelTimer(commitTimer);
    }
    return vertx.executeBlocking(() -> {
      if (index.writable()) {
        index.commit();
      }
      return null;
    }).eventually(() -> {
      for (WorkerExecutor executor : new WorkerExecutor[] {commits, refreshes, syncs}) {
        if (executor != null) {
          executor.close();
        }
      }
      return Future.succeededFuture();
    }).transform(ar -> vertx.executeBlocking(() -> {
      index.close();
      return null;
    }));
  }

  /** The index behind this engine; for tests. */
  LuceneIndex index() {
    return index;
  }

  /** Test hook: drops everything since the last commit, as a crash would (the translog stays). */
  void crashForTest() throws IOException {
    if (commitTimer >= 0) {
      vertx.cancelTimer(commitTimer);
    }
    index.crash();
  }
}
