package dev.fanout.loadtest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The whole of what the app writes per publish, {@code perTx} publishes at a time, from {@code connections}
 * threads; see {@link PostgresCeiling}. Bodies are about 1,300 characters, as capacity.sh posts.
 */
final class WriteSet {

  private static final String INSERT_BLOGS =
      "INSERT INTO blogs (blog_id, author_id, title, body, tags, version, published_at, updated_at) "
          + "SELECT b.id, b.author, b.title, b.body, ARRAY['load'], 1, b.at, b.at "
          + "FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[]) AS b(id, author, title, body, at)";
  private static final String INSERT_OUTBOX =
      "INSERT INTO outbox (event_id, event_type, event_key, payload) "
          + "SELECT i, 'BlogPublished', k, convert_to(p, 'UTF8') FROM unnest(?::uuid[], ?::text[], ?::text[]) "
          + "WITH ORDINALITY AS e(i, k, p, n) ORDER BY n RETURNING id";
  private static final String MARK_SENT =
      "UPDATE outbox o SET sent_at = now(), stream_partition = s.part, stream_offset = s.off "
          + "FROM unnest(?::bigint[], ?::int[], ?::bigint[]) AS s(id, part, off) WHERE o.id = s.id";
  private static final String RECORD =
      "INSERT INTO processed_events (group_name, event_id) SELECT ?, unnest(?::uuid[]) ON CONFLICT DO NOTHING "
          + "RETURNING event_id";
  private static final String ENSURE_AUTHORS =
      "INSERT INTO author_stats (author_id, blog_count) SELECT unnest(?::text[]), 0 ON CONFLICT (author_id) DO NOTHING";
  private static final String APPLY_DELTAS =
      "UPDATE author_stats s SET blog_count = greatest(s.blog_count + t.delta, 0) "
          + "FROM unnest(?::text[], ?::bigint[]) AS t(author_id, delta) WHERE s.author_id = t.author_id";

  private WriteSet() {
  }

  static void run(DataSource data, Path dataDir, int connections, int perTx, int seconds) throws Exception {
    LongAdder publishes = new LongAdder();
    List<Throwable> errors = new ArrayList<>();
    double cpuBefore = postgresCpuSeconds(dataDir);
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Thread thread = new Thread(() -> {
        try (Connection conn = data.getConnection(); Connection relay = data.getConnection()) {
          try (Statement noFlushWait = relay.createStatement()) {
            noFlushWait.execute("SET synchronous_commit TO OFF");
          }
          while (System.nanoTime() < end) {
            writeOnce(conn, relay, perTx);
            publishes.add(perTx);
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
    for (Thread thread : threads) {
      thread.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    double cpu = postgresCpuSeconds(dataDir) - cpuBefore;
    if (!errors.isEmpty()) {
      throw new IllegalStateException("a connection failed", errors.get(0));
    }
    System.out.printf("pg_ceiling_writeset connections=%d publishes_per_tx=%d seconds=%.1f publishes_per_s=%.0f "
            + "pg_cpu_cores=%.2f pg_us_per_publish=%.0f load=\"%s\"%n", connections, perTx, elapsed,
        publishes.sum() / elapsed, cpu / elapsed, cpu * 1e6 / publishes.sum(),
        Files.readString(Path.of("/proc/loadavg")).trim());
  }

  private static void writeOnce(Connection conn, Connection relay, int n) throws Exception {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    UUID[] blogs = new UUID[n];
    UUID[] events = new UUID[n];
    String[] authors = new String[n];
    String[] titles = new String[n];
    String[] bodies = new String[n];
    String[] payloads = new String[n];
    Timestamp[] at = new Timestamp[n];
    String body = "a body of moderate length for the ceiling ".repeat(31);
    for (int i = 0; i < n; i++) {
      blogs[i] = UUID.randomUUID();
      events[i] = UUID.randomUUID();
      authors[i] = "author-" + random.nextInt(1_000);
      titles[i] = "a title of a few words";
      bodies[i] = body;
      payloads[i] = "{\"eventId\":\"" + events[i] + "\",\"body\":\"" + body + "\"}";
      at[i] = Timestamp.from(Instant.now());
    }
    // the publish: one transaction, one multi-row insert each
    conn.setAutoCommit(false);
    List<Long> ids = new ArrayList<>(n);
    try (PreparedStatement blog = conn.prepareStatement(INSERT_BLOGS);
         PreparedStatement outbox = conn.prepareStatement(INSERT_OUTBOX)) {
      blog.setArray(1, conn.createArrayOf("uuid", blogs));
      blog.setArray(2, conn.createArrayOf("text", authors));
      blog.setArray(3, conn.createArrayOf("text", titles));
      blog.setArray(4, conn.createArrayOf("text", bodies));
      blog.setArray(5, conn.createArrayOf("timestamptz", at));
      blog.execute();
      outbox.setArray(1, conn.createArrayOf("uuid", events));
      outbox.setArray(2, conn.createArrayOf("text", authors));
      outbox.setArray(3, conn.createArrayOf("text", payloads));
      try (var rows = outbox.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getLong(1));
        }
      }
      conn.commit();
    }
    // the relay's mark, on its own session
    Integer[] partitions = new Integer[n];
    Long[] offsets = new Long[n];
    for (int i = 0; i < n; i++) {
      partitions[i] = Math.floorMod(authors[i].hashCode(), 12);
      offsets[i] = ids.get(i);
    }
    try (PreparedStatement mark = relay.prepareStatement(MARK_SENT)) {
      mark.setArray(1, relay.createArrayOf("bigint", ids.toArray()));
      mark.setArray(2, relay.createArrayOf("int4", partitions));
      mark.setArray(3, relay.createArrayOf("bigint", offsets));
      mark.execute();
    }
    // the counter group: dedupe records and counts in one transaction
    TreeMap<String, Long> deltas = new TreeMap<>();
    for (String author : authors) {
      deltas.merge(author, 1L, Long::sum);
    }
    try (PreparedStatement record = conn.prepareStatement(RECORD);
         PreparedStatement ensure = conn.prepareStatement(ENSURE_AUTHORS);
         PreparedStatement apply = conn.prepareStatement(APPLY_DELTAS)) {
      record.setString(1, "counter");
      record.setArray(2, conn.createArrayOf("uuid", events));
      record.executeQuery().close();
      String[] keys = deltas.keySet().toArray(String[]::new);
      ensure.setArray(1, conn.createArrayOf("text", keys));
      ensure.execute();
      apply.setArray(1, conn.createArrayOf("text", keys));
      apply.setArray(2, conn.createArrayOf("bigint", deltas.values().toArray()));
      apply.execute();
      conn.commit();
    }
    // the search group's record, on its own
    conn.setAutoCommit(true);
    try (PreparedStatement record = conn.prepareStatement(RECORD)) {
      record.setString(1, "search");
      record.setArray(2, conn.createArrayOf("uuid", events));
      record.executeQuery().close();
    }
  }

  // CPU (user + system, its own and its waited-for children's) of the postmaster and every process it has now.
  static double postgresCpuSeconds(Path dataDir) throws Exception {
    long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    List<Long> pids = new ArrayList<>(List.of(postmaster));
    ProcessHandle.of(postmaster).ifPresent(p -> p.children().forEach(child -> pids.add(child.pid())));
    long ticks = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // utime, stime, cutime, cstime are fields 14 to 17 of the line, 12 to 15 after the name
        for (int i = 11; i <= 14; i++) {
          ticks += Long.parseLong(fields[i]);
        }
      } catch (java.io.IOException gone) {
        // a backend that ended in between: its time is in the postmaster's cutime once reaped
      }
    }
    return ticks / 100.0; // USER_HZ is 100 on Linux
  }
}
