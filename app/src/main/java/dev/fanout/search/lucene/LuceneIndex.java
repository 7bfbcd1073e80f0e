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
 * an entry leaves the table only once a reader that sees its write is open and the write is durable (its
 * translog append fsynced, or a commit covers it), so the look-up never misses a write and no batch has to
 * refresh the reader. A version the index holds counts for a batch only once it is visible and durable: a
 * batch whose events are there already (the retry of a batch whose append or fsync failed, a duplicate
 * written before the first one's fsync) waits for that, and appends them again where their append failed.
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
  // blog id -> its last write, oldest first; guarded by writes
  private final LinkedHashMap<String, Written> recent = new LinkedHashMap<>();
  // the last write number, written under the writes lock; read by the reopening thread
  private volatile long lastWrite;
  // every write up to this number is visible to the current reader; written by the reopening thread (and
  // by open()), read by writers under the writes lock
  private volatile long visibleWrite;
  // every write up to this number is in a Lucene commit; raised by the committing threads (the periodic
  // one, close's), read by writers under the writes lock and by whoever asks whether a commit is due
  private final AtomicLong committedWrite = new AtomicLong();
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

  /**
   * Whether anything was written since the last {@link #commit} began, a batch whose translog append
   * failed included: its documents are in the writer, and a commit makes them durable.
   */
  boolean commitDue() {
    return committedWrite.get() < lastWrite;
  }

  /** Commits everything written so far and lets the translog generations it covers go. */
  void commit() throws IOException {
    long upTo;
    long generation;
    writes.lock();
    try {
      upTo = lastWrite;
      generation = translog.roll(); // every write before this is in an older generation
    } finally {
      writes.unlock();
    }
    writer.setLiveCommitData(Map.of(TRANSLOG_GENERATION, Long.toString(generation)).entrySet());
    writer.commit();
    committedWrite.accumulateAndGet(upTo, Math::max);
    translog.deleteBelow(generation);
  }

  /** Whether the writer is open: {@link #close} or a tragic failure of Lucene's closes it. */
  boolean writable() {
    return writer != null && writer.isOpen();
  }

  /**
   * What a written batch waits for before it may be acknowledged: a reader that sees write number
   * {@code lastWrite} ({@link #reopen}) and the translog durable up to {@code translogPosition}
   * ({@link #sync}); 0 where there is nothing to wait for.
   */
  record Batch(long lastWrite, long translogPosition) {
  }

  /** A blog's last write, as the table remembers it; guarded by the writes lock. */
  private static final class Written {
    final long version;
    final long write;
    // where the translog records of this version end, once an append of them succeeded
    long position = NOT_APPENDED;

    Written(long version, long write) {
      this.version = version;
      this.write = write;
    }
  }

  private static final long NOT_APPENDED = Long.MAX_VALUE;

  /**
   * Writes the events whose version is newer than the stored one, in order, and appends them to the
   * translog in the same order, with the events already there whose append failed. Neither visible nor
   * durable yet: the batch says what it waits for. When the append throws, its writes stay in the index
   * and a retry of the batch appends them.
   */
  Batch write(List<BlogEvent> events) throws IOException {
    writes.lock();
    try {
      List<BlogEvent> append = new ArrayList<>(events.size());
      long see = 0;
      long sync = 0;
      IndexSearcher searcher = searchers.acquire();
      try {
        for (BlogEvent event : events) {
          String blogId = event.blogId().toString();
          Written known = recent.get(blogId);
          long stored = known != null ? known.version : BlogDocuments.storedVersion(searcher, blogId);
          if (event.version() <= stored) {
            // a repeated or older event: the index already has this version or a newer one, which counts
            // once it is visible and durable (a version the reader finds without the table is both)
            if (known != null && known.write > visibleWrite) {
              see = Math.max(see, known.write);
            }
            if (known != null && !durable(known)) {
              if (known.position == NOT_APPENDED) {
                append.add(event); // the append that carried it failed: replaying this event is as good
              } else {
                sync = Math.max(sync, known.position);
              }
            }
            continue;
          }
          if (known == null && stored == 0) {
            // no document of this blog exists (the table holds every write the reader may not see yet):
            // nothing to replace, and no delete term for every later flush to look up in every segment
            writer.addDocument(BlogDocuments.document(event));
          } else {
            writer.updateDocument(BlogDocuments.blogId(blogId), BlogDocuments.document(event));
          }
          recent.remove(blogId);
          recent.put(blogId, new Written(event.version(), ++lastWrite));
          see = lastWrite;
          append.add(event);
        }
      } finally {
        searchers.release(searcher);
      }
      if (!append.isEmpty()) {
        long position = translog.append(append);
        for (BlogEvent event : append) {
          Written entry = recent.get(event.blogId().toString());
          if (entry.version == event.version()) {
            entry.position = position;
          }
        }
        sync = position; // the end of everything appended so far
      }
      forgetVisibleVersions();
      return new Batch(see, sync);
    } finally {
      writes.unlock();
    }
  }

  // Under the writes lock: whether the translog or a commit holds the write durably.
  private boolean durable(Written written) {
    return written.write <= committedWrite.get() || written.position <= translog.synced();
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

  /** The translog; for tests. */
  Translog translog() {
    return translog;
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

  // Under the writes lock: drops the oldest remembered versions once the reader sees their writes and they
  // are durable. One whose append failed holds the rest back until a retry appends it or a commit covers it.
  private void forgetVisibleVersions() {
    Iterator<Written> oldest = recent.values().iterator();
    while (recent.size() > RECENT_VERSIONS && oldest.hasNext()) {
      Written written = oldest.next();
      if (written.write > visibleWrite || !durable(written)) {
        break;
      }
      oldest.remove();
    }
  }
}
