package dev.fanout.loadtest;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The write ceiling of PostgreSQL alone on this machine, the yardstick for the app's publish rate: blog
 * rows and outbox rows inserted the way the app writes them (the app's own schema, migrated by Flyway
 * from {@code db/migration} on the classpath), from {@code connections} JDBC connections, {@code perTx}
 * blog + outbox pairs per transaction, for {@code seconds} per configuration. Like the app's embedded
 * database: fsync on, synchronous_commit on, full_page_writes on. Bodies are 300 to 6,000 characters,
 * like the Gatling simulations'.
 *
 * <p>Mode {@code writeset} writes, per group of {@code perTx} publishes, everything the app writes for them,
 * statement for statement as it does: the blog and outbox rows (one multi-row insert each, one
 * transaction), the relay's mark of those outbox rows with their stream positions (its session does not
 * wait for the WAL flush), the counter group's transaction (its processed-events rows, the author rows, the
 * count deltas) and the search group's processed-events rows. It prints publishes/s and PostgreSQL's CPU
 * per publish (the postmaster and every backend, from {@code /proc}): the yardstick for the app's own rate
 * and cost, on the same machine, in the same run.
 *
 * <p>Usage: {@code PostgresCeiling [seconds=10] [connections=8] [perTx=1,10,64] [mode=pairs|writeset]}; run through
 * {@code load-test/gatling.sh pg-ceiling}, which puts the app jar on the classpath. The database lives in
 * a temporary directory that is removed at the end; it listens on 127.0.0.1 only.
 */
public final class PostgresCeiling {

  private static final String INSERT_BLOG =
      "INSERT INTO blogs (blog_id, author_id, title, body, tags, version, published_at, updated_at) "
          + "VALUES (?, ?, ?, ?, ?, 1, ?, ?)";
  private static final String INSERT_OUTBOX =
      "INSERT INTO outbox (event_id, event_type, event_key, payload) VALUES (?, ?, ?, ?)";

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    String groupings = args.length > 2 ? args[2] : "1,10,64";
    boolean writeSet = args.length > 3 && args[3].equals("writeset");
    Path dir = Files.createTempDirectory("fanout-pg-ceiling");
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setDataDirectory(dir).setCleanDataDirectory(true)
        .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on").setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "100").start()) {
      DataSource data = postgres.getPostgresDatabase();
      Flyway.configure().dataSource(data).locations("classpath:db/migration").load().migrate();
      for (String grouping : groupings.split(",")) {
        if (writeSet) {
          WriteSet.run(data, dir, connections, Integer.parseInt(grouping.trim()), seconds);
        } else {
          run(data, connections, Integer.parseInt(grouping.trim()), seconds);
        }
      }
    }
  }

  private static void run(DataSource data, int connections, int perTx, int seconds) throws Exception {
    LongAdder transactions = new LongAdder();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Thread thread = new Thread(() -> {
        try (Connection conn = data.getConnection()) {
          conn.setAutoCommit(false);
          PreparedStatement blog = conn.prepareStatement(INSERT_BLOG);
          PreparedStatement outbox = conn.prepareStatement(INSERT_OUTBOX);
          ThreadLocalRandom random = ThreadLocalRandom.current();
          String body = "a body of moderate length for the ceiling ".repeat(30 + random.nextInt(40));
          while (System.nanoTime() < end) {
            for (int i = 0; i < perTx; i++) {
              UUID blogId = UUID.randomUUID();
              String author = "author-" + random.nextInt(10_000);
              Timestamp now = Timestamp.from(Instant.now());
              blog.setObject(1, blogId);
              blog.setString(2, author);
              blog.setString(3, "a title of a few words");
              blog.setString(4, body);
              blog.setArray(5, conn.createArrayOf("text", new String[] {"ceiling"}));
              blog.setTimestamp(6, now);
              blog.setTimestamp(7, now);
              blog.addBatch();
              outbox.setObject(1, UUID.randomUUID());
              outbox.setString(2, "BlogPublished");
              outbox.setString(3, author);
              outbox.setBytes(4, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
              outbox.addBatch();
            }
            blog.executeBatch();
            outbox.executeBatch();
            conn.commit();
            transactions.increment();
          }
        } catch (Exception e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    long start = System.nanoTime();
    for (Thread thread : threads) {
      thread.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (!errors.isEmpty()) {
      throw new IllegalStateException("a connection failed", errors.get(0));
    }
    System.out.printf("pg_ceiling connections=%d pairs_per_tx=%d seconds=%.1f transactions_per_s=%.0f blogs_per_s=%.0f load=\"%s\"%n",
        connections, perTx, elapsed, transactions.sum() / elapsed, transactions.sum() * perTx / elapsed,
        Files.readString(Path.of("/proc/loadavg")).trim());
  }
}
