package dev.fanout.search.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;

/**
 * A directory whose {@link #sync} fsyncs the files of a commit in parallel instead of one after the other.
 * A Lucene commit syncs every file written since the previous commit (a few per new segment); one by one,
 * each fsync waits for its own journal commit, while concurrent fsyncs share them.
 *
 * <p>{@link #sync} returns only when every file is synced, and fails if any sync failed, exactly like the
 * wrapped directory's. {@link #close} stops the sync threads and closes the wrapped directory.
 */
final class ParallelSyncDirectory extends FilterDirectory {

  private final ExecutorService syncers;

  ParallelSyncDirectory(Directory in, int threads, String name) {
    super(in);
    AtomicInteger count = new AtomicInteger();
    this.syncers = Executors.newFixedThreadPool(threads, task -> {
      Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public void sync(Collection<String> names) throws IOException {
    if (names.size() <= 1) {
      in.sync(names);
      return;
    }
    List<Future<?>> syncs = new ArrayList<>(names.size());
    for (String name : names) {
      syncs.add(syncers.submit(() -> {
        try {
          in.sync(List.of(name));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }));
    }
    IOException failure = null;
    for (Future<?> sync : syncs) {
      try {
        sync.get(); // every sync must end before this returns, failed or not
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = failure != null ? failure : new IOException("interrupted while syncing", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() instanceof UncheckedIOException unchecked ? unchecked.getCause() : e.getCause();
        if (failure == null) {
          failure = cause instanceof IOException io ? io : new IOException(cause);
        } else {
          failure.addSuppressed(cause);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void close() throws IOException {
    syncers.shutdownNow();
    super.close();
  }
}
