package dev.fanout.search.lucene;

import dev.fanout.events.BlogEvent;
import dev.fanout.search.RefreshPacing;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchQuery;
import dev.fanout.search.SearchResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.IndexSearcher.TooManyClauses;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.highlight.Highlighter;
import org.apache.lucene.search.highlight.InvalidTokenOffsetsException;
import org.apache.lucene.search.highlight.QueryScorer;
import org.apache.lucene.search.highlight.SimpleHTMLEncoder;
import org.apache.lucene.search.highlight.SimpleHTMLFormatter;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.NRTCachingDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded search engine: a Lucene index under the data directory, in this JVM.
 *
 * <p>Writes are serialized by a lock and run on worker threads: a batch looks up the stored version of
 * each blog and writes only newer versions. The look-up asks a table of recently written versions first,
 * then the current reader; an entry leaves the table only once a reader that sees its write is open, so
 * the look-up never misses a write and no batch has to refresh the reader.
 *
 * <p>Visibility and durability come without a Lucene commit. Once a batch is written, the near-real-time
 * reader is reopened on demand by a worker thread of its own; one reopen serves every batch written before
 * it started, so a change is searchable about one reopen after it is written. At the same time the batch is
 * appended to the {@link Translog} and made durable with one fsync of one file, shared by the batches
 * appended meanwhile. {@link #apply}'s future succeeds once the batch is both visible and durable. A Lucene
 * commit (which syncs many files) runs every {@value #COMMIT_MILLIS} ms on a thread of its own, records the
 * translog generation it covers, and lets older generations go; at start, what the last commit does not
 * cover is read back from the translog and written again (idempotent by version). New small segments stay
 * in memory ({@link NRTCachingDirectory}) until a commit writes them out, so a reopen touches no disk, and
 * a commit syncs its files in parallel ({@link ParallelSyncDirectory}). Deleted blogs stay as tombstone documents
 * that carry their version and never match a search.
 */
public final class LuceneSearchEngine implements SearchEngine {

  private static final Logger LOG = LoggerFactory.getLogger(LuceneSearchEngine.class);

  /** New segments up to this size are kept in memory until committed (NRTCachingDirectory). */
  private static final double CACHED_SEGMENT_MB = 8;
  /** The most memory those cached segments may take. */
  private static final double CACHED_TOTAL_MB = 64;
  /** Threads that sync a commit's files in parallel. */
  private static final int SYNC_THREADS = 4;
  /** Versions of recently written blogs kept in memory, so writes need no reader refresh. */
  static final int RECENT_VERSIONS = 100_000;
  private static final int SNIPPET_CHARS = 200;
  private static final String[] TEXT_FIELDS = {"title", "body", "tagtext"};
  /**
   * How often the index is committed, when anything was written. A commit's flush holds the writer while
   * a reopen waits (JFR: reopens blocked up to 131 ms); every 5 s instead of every 1 s took the
   * publish-to-searchable p99 at 100/s from 247-253 ms to 124-156 ms (docs/benchmarks.md). The translog
   * keeps what a commit has not covered yet, so only the replay at start grows.
   */
  static final long COMMIT_MILLIS = 5_000;
  private static final String TRANSLOG_GENERATION = "translog.generation";

  private final Vertx vertx;
  private final Path directory;
  private final Analyzer analyzer = new StandardAnalyzer();
  // serializes index writes (version look-up then update); taken on worker threads only
  private final ReentrantLock writes = new ReentrantLock();
  // set once by start() on a worker, then only read
  private volatile NRTCachingDirectory store;
  private volatile IndexWriter writer;
  private volatile SearcherManager searchers;
  // blog id -> {version, write number}, oldest first; guarded by writes
  private final LinkedHashMap<String, long[]> recent = new LinkedHashMap<>();
  // the last write number, written under the writes lock
  private volatile long lastWrite;
  // every write up to this number is visible to the current reader
  private volatile long visibleWrite;
  // numbers the batches written; the last one a commit covers
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong committed = new AtomicLong();
  // set once by start(); appended under the writes lock
  private volatile Translog translog;
  // runs commits one at a time, off the event loops and off the writers' worker threads
  private volatile WorkerExecutor commits;
  // runs translog fsyncs one at a time
  private volatile WorkerExecutor syncs;
  private volatile long commitTimer = -1;
  // runs reader reopens one at a time, so that a reopen never waits behind a commit's fsyncs
  private volatile WorkerExecutor refreshes;

  // spaces the reopens out; only used by the refresh worker
  private final RefreshPacing reopenPacing;

  private final long commitMillis;

  /** @param refreshMillis the least time between two reopens of the reader; 0 reopens after every batch; not negative */
  public LuceneSearchEngine(Vertx vertx, Path directory, long refreshMillis) {
    this(vertx, directory, refreshMillis, COMMIT_MILLIS);
  }

  /** With commits every {@code commitMillis} ms instead of {@value #COMMIT_MILLIS}; for tests. */
  LuceneSearchEngine(Vertx vertx, Path directory, long refreshMillis, long commitMillis) {
    this.vertx = vertx;
    this.directory = directory;
    this.reopenPacing = new RefreshPacing(refreshMillis);
    this.commitMillis = commitMillis;
  }

  @Override
  public String name() {
    return "lucene";
  }

  @Override
  public Future<Void> start() {
    return vertx.<Void>executeBlocking(() -> {
      Files.createDirectories(directory);
      store = new NRTCachingDirectory(new ParallelSyncDirectory(FSDirectory.open(directory), SYNC_THREADS,
          "fanout-lucene-sync"), CACHED_SEGMENT_MB, CACHED_TOTAL_MB);
      TieredMergePolicy merges = new TieredMergePolicy();
      merges.setNoCFSRatio(1.0); // merged segments in compound files too: 3 files to sync each, not about 13
      writer = new IndexWriter(store, new IndexWriterConfig(analyzer)
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
          .setMergePolicy(merges));
      searchers = new SearcherManager(writer, null);
      translog = new Translog(directory.resolveSibling(directory.getFileName() + ".translog"));
      recover();
      return null;
    }).onSuccess(v -> {
      commits = vertx.createSharedWorkerExecutor("fanout-lucene-commit-" + directory, 1);
      refreshes = vertx.createSharedWorkerExecutor("fanout-lucene-refresh-" + directory, 1);
      syncs = vertx.createSharedWorkerExecutor("fanout-lucene-translog-" + directory, 1);
      commitTimer = vertx.setPeriodic(commitMillis, id -> {
        if (committed.get() < written.get()) {
          commits.executeBlocking(() -> {
            commitNow();
            return null;
          }, false).onFailure(e -> LOG.warn("lucene commit failed, the translog keeps the writes: {}", e.toString()));
        }
      });
    });
  }

  // On a worker at start: writes again what the last commit does not cover, then commits it.
  private void recover() throws IOException {
    long covered = 0;
    for (var entry : writer.getLiveCommitData()) {
      if (entry.getKey().equals(TRANSLOG_GENERATION)) {
        covered = Long.parseLong(entry.getValue());
      }
    }
    List<BlogEvent> pending = translog.readFrom(covered);
    if (!pending.isEmpty()) {
      LOG.info("lucene: writing again {} events from the translog that the last commit did not cover", pending.size());
      writeLocked(pending);
      refresh();
    }
    commitNow();
  }

  // Commits everything written so far and lets the covered translog generations go.
  private void commitNow() throws IOException {
    long upTo = written.get();
    long generation;
    writes.lock();
    try {
      generation = translog.roll(); // every write before this is in an older generation
    } finally {
      writes.unlock();
    }
    writer.setLiveCommitData(java.util.Map.of(TRANSLOG_GENERATION, Long.toString(generation)).entrySet());
    writer.commit();
    committed.set(upTo);
    translog.deleteBelow(generation);
  }

  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    return vertx.executeBlocking(() -> writeLocked(events), false)
        .compose(batch -> batch.number() == 0 ? Future.succeededFuture()
            : Future.all(visible(batch.lastWrite()), durable(batch.translogPosition())).mapEmpty());
  }

  /**
   * A written batch: its number (0 when it changed nothing), the number of its last document write and
   * where its translog records end.
   */
  private record Batch(long number, long lastWrite, long translogPosition) {
  }

  // Writes the newer versions, and appends them to the translog in the same order.
  private Batch writeLocked(List<BlogEvent> events) throws IOException {
    writes.lock();
    try {
      List<BlogEvent> changed = new ArrayList<>(events.size());
      IndexSearcher searcher = searchers.acquire();
      try {
        for (BlogEvent event : events) {
          String blogId = event.blogId().toString();
          long[] known = recent.get(blogId);
          long stored = known != null ? known[0] : storedVersion(searcher, blogId);
          if (event.version() <= stored) {
            continue; // a repeated or older event: the index already has this version or a newer one
          }
          if (known == null && stored == 0) {
            // no document of this blog exists (the table holds every write the reader may not see yet):
            // nothing to replace, and no delete term for every later flush to look up in every segment
            writer.addDocument(document(event));
          } else {
            writer.updateDocument(new Term("blogId", blogId), document(event));
          }
          recent.remove(blogId);
          recent.put(blogId, new long[] {event.version(), ++lastWrite});
          changed.add(event);
        }
      } finally {
        searchers.release(searcher);
      }
      forgetVisibleVersions();
      if (changed.isEmpty()) {
        return new Batch(0, 0, 0);
      }
      long position = translog.append(changed);
      return new Batch(written.incrementAndGet(), lastWrite, position);
    } finally {
      writes.unlock();
    }
  }

  // Completes once the translog holds everything up to {@code position} durably.
  private Future<Void> durable(long position) {
    return syncs.executeBlocking(() -> {
      translog.sync(position);
      return null;
    }, false);
  }

  // Completes once a reader that sees write number {@code write} is open. Not "ordered": ordered tasks of
  // one context share one queue across executors, which would put every reopen behind the commits. The
  // executor's single thread runs the reopens one at a time, in order, and paces them: it waits out the
  // rest of refreshMillis since the last reopen (batches written meanwhile join this reopen).
  private Future<Void> visible(long write) {
    return refreshes.executeBlocking(() -> {
      if (visibleWrite < write) {
        long wait = reopenPacing.waitNanos();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait); // this executor's own thread, never an event loop
        }
        reopenPacing.started();
        refresh(); // serves every batch written before it, so the reopens queued behind it skip
      }
      return null;
    }, false);
  }

  @Override
  public Future<SearchResult> search(SearchQuery query) {
    return vertx.executeBlocking(() -> {
      Query text = textQuery(query.text());
      BooleanQuery.Builder builder = new BooleanQuery.Builder()
          .add(text, BooleanClause.Occur.MUST)
          .add(new TermQuery(new Term("deleted", "false")), BooleanClause.Occur.FILTER);
      if (query.author() != null) {
        builder.add(new TermQuery(new Term("authorId", query.author())), BooleanClause.Occur.FILTER);
      }
      if (query.tag() != null) {
        builder.add(new TermQuery(new Term("tag", query.tag())), BooleanClause.Occur.FILTER);
      }
      Query full = builder.build();
      IndexSearcher searcher = searchers.acquire();
      try {
        int total = searcher.count(full);
        Sort sort = new Sort(SortField.FIELD_SCORE, new SortField("publishedAtSort", SortField.Type.LONG, true));
        TopDocs top = searcher.search(full, query.offset() + query.limit(), sort, true);
        Highlighter highlighter = new Highlighter(new SimpleHTMLFormatter("<mark>", "</mark>"),
            new SimpleHTMLEncoder(), new QueryScorer(text));
        List<SearchResult.Hit> hits = new ArrayList<>();
        ScoreDoc[] docs = top.scoreDocs;
        for (int i = query.offset(); i < docs.length; i++) {
          Document doc = searcher.storedFields().document(docs[i].doc);
          hits.add(new SearchResult.Hit(doc.get("blogId"), doc.get("authorId"), doc.get("title"),
              snippet(highlighter, doc), List.of(doc.getValues("tag")), doc.get("publishedAt")));
        }
        return new SearchResult(total, hits);
      } catch (TooManyClauses e) {
        throw SearchQuery.invalidQuery("q matches too many terms; make it more specific");
      } finally {
        searchers.release(searcher);
      }
    }, false);
  }

  @Override
  public Future<Void> ping() {
    return searchers == null ? Future.failedFuture(new IllegalStateException("the index is not open"))
        : Future.succeededFuture();
  }

  @Override
  public Future<List<IndexedBlog>> list(int limit) {
    return vertx.executeBlocking(() -> {
      IndexSearcher searcher = searchers.acquire();
      try {
        List<IndexedBlog> blogs = new ArrayList<>();
        for (ScoreDoc hit : searcher.search(new MatchAllDocsQuery(), Math.max(1, limit)).scoreDocs) {
          Document doc = searcher.storedFields().document(hit.doc);
          blogs.add(new IndexedBlog(doc.get("blogId"), doc.get("authorId"),
              doc.getField("version").numericValue().intValue(), "true".equals(doc.get("deleted"))));
        }
        return blogs;
      } finally {
        searchers.release(searcher);
      }
    }, false);
  }

  @Override
  public Future<Void> close() {
    if (commitTimer >= 0) {
      vertx.cancelTimer(commitTimer);
    }
    return vertx.executeBlocking(() -> {
      if (writer != null && writer.isOpen()) {
        commitNow();
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
      writes.lock();
      try {
        if (searchers != null) {
          searchers.close();
        }
        if (writer != null) {
          writer.close();
        }
        if (translog != null) {
          translog.close();
        }
        if (store != null) {
          store.close();
        }
        return null;
      } finally {
        writes.unlock();
      }
    }));
  }

  /** Test hook: drops everything since the last commit, as a crash would (the translog stays). */
  void crashForTest() throws IOException {
    if (commitTimer >= 0) {
      vertx.cancelTimer(commitTimer);
    }
    writes.lock();
    try {
      searchers.close();
      writer.rollback();
      translog.close();
      store.close();
    } finally {
      writes.unlock();
    }
  }

  // Reopens the reader if anything changed; afterwards every write numbered before the call is visible.
  private void refresh() throws IOException {
    long before = lastWrite;
    searchers.maybeRefreshBlocking();
    visibleWrite = Math.max(visibleWrite, before);
  }

  // Under the writes lock: drops the oldest remembered versions once the reader sees their writes.
  private void forgetVisibleVersions() {
    Iterator<long[]> oldest = recent.values().iterator();
    while (recent.size() > RECENT_VERSIONS && oldest.hasNext()) {
      if (oldest.next()[1] > visibleWrite) {
        break;
      }
      oldest.remove();
    }
  }

  private static int storedVersion(IndexSearcher searcher, String blogId) throws IOException {
    TopDocs found = searcher.search(new TermQuery(new Term("blogId", blogId)), 1);
    if (found.scoreDocs.length == 0) {
      return 0;
    }
    return searcher.storedFields().document(found.scoreDocs[0].doc).getField("version").numericValue().intValue();
  }

  private static Document document(BlogEvent event) {
    Document doc = new Document();
    doc.add(new StringField("blogId", event.blogId().toString(), Field.Store.YES));
    doc.add(new StringField("authorId", event.authorId(), Field.Store.YES));
    doc.add(new StoredField("version", event.version()));
    boolean deleted = event.type() == BlogEvent.Type.BlogDeleted;
    doc.add(new StringField("deleted", Boolean.toString(deleted), Field.Store.YES));
    if (!deleted) {
      doc.add(new TextField("title", event.title(), Field.Store.YES));
      doc.add(new TextField("body", event.body(), Field.Store.YES));
      for (String tag : event.tags()) {
        doc.add(new StringField("tag", tag, Field.Store.YES));
        doc.add(new TextField("tagtext", tag, Field.Store.NO));
      }
      long published = event.publishedAt() == null ? 0 : event.publishedAt().toEpochMilli();
      doc.add(new StoredField("publishedAt", event.publishedAt() == null ? "" : event.publishedAt().toString()));
      doc.add(new NumericDocValuesField("publishedAtSort", published));
    } else {
      doc.add(new NumericDocValuesField("publishedAtSort", 0));
    }
    return doc;
  }

  private Query textQuery(String text) {
    if (text.isEmpty()) {
      return new MatchAllDocsQuery();
    }
    try {
      return new MultiFieldQueryParser(TEXT_FIELDS, analyzer).parse(text);
    } catch (ParseException | RuntimeException e) {
      throw SearchQuery.invalidQuery("q is not a valid query");
    }
  }

  // The best highlighted fragment of the body, else of the title, else the start of the body; escaped.
  private String snippet(Highlighter highlighter, Document doc) throws IOException {
    try {
      for (String field : new String[] {"body", "title"}) {
        String fragment = highlighter.getBestFragment(analyzer, field, doc.get(field));
        if (fragment != null) {
          return fragment;
        }
      }
    } catch (InvalidTokenOffsetsException e) {
      // fall through to the plain start of the body
    }
    String body = doc.get("body");
    return new SimpleHTMLEncoder().encodeText(body.length() > SNIPPET_CHARS ? body.substring(0, SNIPPET_CHARS) : body);
  }
}
