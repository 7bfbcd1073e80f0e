package dev.fanout.search.lucene;

import dev.fanout.events.BlogEvent;
import dev.fanout.search.RefreshPacing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.NRTCachingDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lucene index under a directory, its near-real-time reader and its {@link Translog}. Every method
 * blocks: callers run it on worker threads, never on an event loop.
 *
 * <p>Writes are serialized by a lock: a batch looks up the stored version of each blog and writes only
 * newer versions. The look-up asks a table of recently written versions first, then the current reader;
 * an entry leaves the table only once a reader that sees its write is open, so the look-up never misses a
 * write and no batch has to refresh the reader.
 *
 * <p>Visibility and durability come without a Lucene commit. Once a batch is written, {@link #reopen} opens
 * a reader that sees it; one reopen serves every batch written before it started, so a change is searchable
 * about one reopen after it is written. The batch is also appended to the translog and {@link #sync} makes
 * it durable with one fsync of one file, shared by the batches appended meanwhile. A {@link #commit} (which
 * syncs many files) records the translog generation it covers and lets older generations go; {@link #open}
 * reads back what the last commit does not cover and writes it again (idempotent by version). New small
 * segments stay in memory ({@link NRTCachingDirectory}) until a commit writes them out, so a reopen touches
 * no disk, and a commit syncs its files in parallel ({@link ParallelSyncDirectory}).
 *
 * <p>{@link #open} comes before everything else and {@link #close} after. {@link #reopen} must be called
 * by one thread at a time (its pacing is not thread-safe); otherwise writes, syncs, reads, reopens and
 * commits may run at the same time on any worker threads.
 */
final class LuceneIndex {

  private static final Logger LOG = LoggerFactory.getLogger(LuceneIndex.class);

  /** New segments up to this size are kept in memory until committed (NRTCachingDirectory). */
  private static final double CACHED_SEGMENT_MB = 8;
  /** The most memory those cached segments may take. */
  private static final double CACHED_TOTAL_MB = 64;
  /** Threads that sync a commit's files in parallel. */
  private static final int SYNC_THREADS = 4;
  /** Versions of recently written blogs kept in memory, so writes need no reader refresh. */
  static final int RECENT_VERSIONS = 100_000;
  private static final String TRANSLOG_GENERATION = "translog.generation";

  private final Path directory;
  private final Analyzer analyzer;
  // serializes index writes (version look-up then update); taken on worker threads only
  private final ReentrantLock writes = new ReentrantLock();
  // set once by open() on a worker, then only read
  private volatile NRTCachingDirectory store;
  private volatile IndexWriter writer;
  private volatile SearcherManager searchers;
  // blog id -> {version, write number}, oldest first; guarded by writes
  private final LinkedHashMap<String, long[]> recent = new LinkedHashMap<>();
  // the last write number, written under the writes lock; read by the reopening thread
  private volatile long lastWrite;
  // every write up to this number is visible to the current reader; written by the reopening thread (and
  // by open()), read by writers under the writes lock
  private volatile long visibleWrite;
  // numbers the batches written (by writers); the last one a commit covers (set by the committing thread);
  // both read by whoever asks whether a commit is due
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong committed = new AtomicLong();
  // set once by open(); appended under the writes lock
  private volatile Translog translog;

  // spaces the reopens out; only used by the reopening thread
  private final RefreshPacing reopenPacing;
  // the reopens reopen() started; counted by the reopening thread, read by tests
  private final AtomicLong reopens = new AtomicLong();

  /**
   * @param analyzer analyzes the text fields of the documents written
   * @param refreshMillis the least time between two reopens of the reader; 0 reopens after every batch
   * @throws IllegalArgumentException when {@code refreshMillis} is negative
   */
  LuceneIndex(Path directory, Analyzer analyzer, long refreshMillis) {
    this.directory = directory;
    this.analyzer = analyzer;
    this.reopenPacing = new RefreshPacing(refreshMillis);
  }

  /**
   * Opens or creates the index and its translog (a sibling directory named after it), writes again what the
   * last commit does not cover, and commits. Called once, before anything else.
   */
  void open() throws IOException {
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
  }

  /** Whether {@link #open} has opened the reader; it stays true after {@link #close}. */
  boolean opened() {
    return searchers != null;
  }

  // At open: writes again what the last commit does not cover, then commits it.
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
      write(pending);
      refresh();
    }
    commit();
  }

  /** Whether a batch was written since the last {@link #commit} began. */
  boolean commitDue() {
    return committed.get() < written.get();
  }

  /** Commits everything written so far and lets the translog generations it covers go. */
  void commit() throws IOException {
    long upTo = written.get();
    long generation;
    writes.lock();
    try {
      generation = translog.roll(); // every write before this is in an older generation
    } finally {
      writes.unlock();
    }
    writer.setLiveCommitData(Map.of(TRANSLOG_GENERATION, Long.toString(generation)).entrySet());
    writer.commit();
    committed.set(upTo);
    translog.deleteBelow(generation);
  }

  /** Whether the writer is open: {@link #close} or a tragic failure of Lucene's closes it. */
  boolean writable() {
    return writer != null && writer.isOpen();
  }

  /**
   * A written batch: its number (0 when it changed nothing), the number of its last document write, for
   * {@link #reopen}, and where its translog records end, for {@link #sync}.
   */
  record Batch(long number, long lastWrite, long translogPosition) {
  }

  /**
   * Writes the events whose version is newer than the stored one, in order, and appends them to the
   * translog in the same order. Neither visible nor durable yet: see {@link #reopen} and {@link #sync}.
   */
  Batch write(List<BlogEvent> events) throws IOException {
    writes.lock();
    try {
      List<BlogEvent> changed = new ArrayList<>(events.size());
      IndexSearcher searcher = searchers.acquire();
      try {
        for (BlogEvent event : events) {
          String blogId = event.blogId().toString();
          long[] known = recent.get(blogId);
          long stored = known != null ? known[0] : BlogDocuments.storedVersion(searcher, blogId);
          if (event.version() <= stored) {
            continue; // a repeated or older event: the index already has this version or a newer one
          }
          if (known == null && stored == 0) {
            // no document of this blog exists (the table holds every write the reader may not see yet):
            // nothing to replace, and no delete term for every later flush to look up in every segment
            writer.addDocument(BlogDocuments.document(event));
          } else {
            writer.updateDocument(BlogDocuments.blogId(blogId), BlogDocuments.document(event));
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

  /** Returns once the translog holds everything up to {@code position} durably. */
  void sync(long position) throws IOException {
    translog.sync(position);
  }

  /**
   * Returns once a reader that sees write number {@code write} is open. Paced: it first waits out the rest
   * of refreshMillis since the last reopen started (batches written meanwhile join this reopen), and a call
   * for a write that an earlier reopen already serves returns at once. One caller at a time.
   */
  void reopen(long write) throws IOException, InterruptedException {
    if (visibleWrite < write) {
      long wait = reopenPacing.waitNanos();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait); // the caller's worker thread, never an event loop
      }
      reopenPacing.started();
      reopens.incrementAndGet();
      refresh(); // serves every batch written before it, so the reopens queued behind it skip
    }
  }

  /** How many reopens {@link #reopen} has started (calls that found their write visible start none); for tests. */
  long reopens() {
    return reopens.get();
  }

  /** What a search does with a searcher. */
  interface Reading<T> {
    T read(IndexSearcher searcher) throws IOException;
  }

  /** Runs {@code reading} on the current reader. */
  <T> T read(Reading<T> reading) throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      return reading.read(searcher);
    } finally {
      searchers.release(searcher);
    }
  }

  /** Closes the reader, the writer (Lucene commits on close), the translog and the directory. */
  void close() throws IOException {
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
    } finally {
      writes.unlock();
    }
  }

  /** Drops everything since the last commit, as a crash would (the translog stays); for tests. */
  void crash() throws IOException {
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
}
