package dev.fanout.db;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fanout's schema migrations ({@code db/migration/V<n>__<what>.sql}), applied with Flyway. Flyway costs about
 * 0.3 s of a start even when there is nothing to do, so a database whose history already holds exactly the
 * bundled migrations (each {@code V} script applied successfully, with the checksum Flyway gives it, and
 * nothing else) is left as it is after one query; anything else (a new database, pending or failed
 * migrations, a database from a newer Fanout, changed scripts, baselines, repeatable scripts) goes to Flyway,
 * which decides as it always did. The pending migrations of a database run in one transaction.
 *
 * <p>Every method blocks: call them on a worker thread.
 */
final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  static final String LOCATION = "db/migration";
  private static final Pattern VERSIONED = Pattern.compile("V[0-9][0-9_.]*__[^/]+\\.sql");

  // read once: the bundled scripts do not change while the process runs (null: not read yet, or unreadable)
  private static volatile Map<String, Integer> bundled;

  private Migrations() {
  }

  /**
   * Brings the database {@code connection} points at up to date: nothing when it already is, Flyway otherwise.
   * The connection is the one Flyway's would be (same URL, user and password).
   */
  static void apply(Connection connection, String jdbcUrl, String user, String password) {
    long start = System.nanoTime();
    if (current(connection)) {
      LOG.info("the schema holds every bundled migration, nothing to migrate (checked in {} ms)",
          (System.nanoTime() - start) / 1_000_000);
      return;
    }
    Flyway.configure()
        .dataSource(jdbcUrl, user, password)
        .locations("classpath:" + LOCATION)
        // a first start's nine migrations in one transaction: one commit instead of nine
        .group(true)
        .load()
        .migrate();
  }

  /**
   * Whether the history table of the connection's schema holds exactly the bundled migrations, each applied
   * successfully with the same checksum; false, never an exception, whenever it cannot tell.
   */
  static boolean current(Connection connection) {
    Map<String, Integer> bundled = bundled();
    if (bundled == null || bundled.isEmpty()) {
      return false;
    }
    try (Statement statement = connection.createStatement()) {
      try (ResultSet exists = statement.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
        if (!exists.next() || !exists.getBoolean(1)) {
          return false;
        }
      }
      Map<String, Integer> applied = new HashMap<>();
      try (ResultSet rows = statement.executeQuery(
          "SELECT type, script, checksum, success FROM flyway_schema_history")) {
        while (rows.next()) {
          Integer checksum = rows.getObject(3, Integer.class);
          if (!"SQL".equals(rows.getString(1)) || !rows.getBoolean(4) || checksum == null
              || applied.put(rows.getString(2), checksum) != null) {
            return false;
          }
        }
      }
      return applied.equals(bundled);
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * The bundled versioned migrations, script name to Flyway's checksum of it; null when the folder holds
   * anything else (Flyway then decides) or cannot be read.
   */
  static Map<String, Integer> bundled() {
    Map<String, Integer> known = bundled;
    if (known == null) {
      Map<String, Integer> read = read();
      if (read != null) {
        known = Map.copyOf(read);
        bundled = known;
      }
    }
    return known;
  }

  private static Map<String, Integer> read() {
    URL folder = Migrations.class.getClassLoader().getResource(LOCATION);
    if (folder == null) {
      return null;
    }
    Map<String, Integer> scripts = new TreeMap<>();
    try {
      URLConnection connection = folder.openConnection();
      if (connection instanceof JarURLConnection jar) {
        // the app's jar: its index names every script (the jar stays open: the class loader's)
        JarFile file = jar.getJarFile();
        String prefix = LOCATION + "/";
        for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
          JarEntry entry = entries.nextElement();
          String name = entry.getName();
          if (!name.startsWith(prefix) || name.equals(prefix)) {
            continue;
          }
          String script = name.substring(prefix.length());
          if (!VERSIONED.matcher(script).matches()) {
            return null;
          }
          try (InputStream in = file.getInputStream(entry)) {
            scripts.put(script, checksum(in));
          }
        }
      } else if ("file".equals(folder.getProtocol())) {
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
          for (Path path : (Iterable<Path>) files::iterator) {
            String script = path.getFileName().toString();
            if (!VERSIONED.matcher(script).matches()) {
              return null;
            }
            try (InputStream in = Files.newInputStream(path)) {
              scripts.put(script, checksum(in));
            }
          }
        }
      } else {
        return null;
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return null;
    }
    return scripts;
  }

  /**
   * Flyway's checksum of an SQL script: a CRC32 of its lines as UTF-8, without line breaks or a leading byte
   * order mark. {@code MigrationsTest} holds it to what Flyway records.
   */
  static int checksum(InputStream script) throws IOException {
    CRC32 crc = new CRC32();
    BufferedReader reader = new BufferedReader(new InputStreamReader(script, StandardCharsets.UTF_8));
    String line = reader.readLine();
    if (line != null && line.startsWith("\uFEFF")) {
      line = line.substring(1);
    }
    for (; line != null; line = reader.readLine()) {
      crc.update(line.getBytes(StandardCharsets.UTF_8));
    }
    return (int) crc.getValue();
  }
}
