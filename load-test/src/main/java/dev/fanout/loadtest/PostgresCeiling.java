package dev.fanout.loadtest;

import dev.fanout.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The write ceiling of PostgreSQL alone on this machine, the yardstick for the app's publish rate. Nothing
 * here is a copy of the app: the database is the app's own ({@link Database#start}: the embedded server
 * with the app's settings, fsync, synchronous commit and full-page writes on, migrated by the app's Flyway
 * migrations), and the writes are the app's own code run without HTTP and without a stream (see
 * {@link WriteSet}), from {@code connections} concurrent writers, {@code perTx} publishes per transaction,
 * for {@code seconds} per grouping.
 *
 * <p>Mode {@code pairs} writes the publish transaction only (the blog rows and their outbox rows) and
 * prints transactions/s and blogs/s. Mode {@code writeset} writes everything the app writes per publish
 * and prints publishes/s and PostgreSQL's CPU per publish (the postmaster and every backend, from
 * {@code /proc}): the yardstick for the app's own rate and cost, on the same machine, in the same run.
 *
 * <p>Usage: {@code PostgresCeiling [seconds=10] [connections=8] [perTx=1,10,64] [mode=pairs|writeset]}; run
 * through {@code load-test/gatling.sh pg-ceiling}, which puts the app jar on the classpath. The database
 * lives in a temporary directory that is removed at the end; it listens on 127.0.0.1 only.
 */
public final class PostgresCeiling {

  private PostgresCeiling() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    String groupings = args.length > 2 ? args[2] : "1,10,64";
    boolean writeSet = args.length > 3 && args[3].equals("writeset");
    Path dir = Files.createTempDirectory("fanout-pg-ceiling");
    Path pgDir = dir.resolve("pg");
    Vertx vertx = Vertx.vertx();
    try {
      Database database = await(Database.start(vertx, null, pgDir, connections));
      try {
        for (String grouping : groupings.split(",")) {
          int perTx = Integer.parseInt(grouping.trim());
          WriteSet.Result result = WriteSet.run(vertx, database, pgDir, connections, perTx, seconds, writeSet);
          if (writeSet) {
            System.out.printf("pg_ceiling_writeset connections=%d publishes_per_tx=%d seconds=%.1f publishes_per_s=%.0f "
                    + "pg_cpu_cores=%.2f pg_us_per_publish=%.0f load=\"%s\"%n", connections, perTx, result.seconds(),
                result.publishes() / result.seconds(), result.pgCpuSeconds() / result.seconds(),
                result.pgCpuSeconds() * 1e6 / result.publishes(), loadavg());
          } else {
            System.out.printf("pg_ceiling connections=%d pairs_per_tx=%d seconds=%.1f transactions_per_s=%.0f "
                    + "blogs_per_s=%.0f load=\"%s\"%n", connections, perTx, result.seconds(),
                result.transactions() / result.seconds(), result.publishes() / result.seconds(), loadavg());
          }
        }
      } finally {
        await(database.close());
      }
    } finally {
      await(vertx.close());
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  // the main thread waits; the work runs on Vert.x's threads
  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }

  private static String loadavg() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
