package dev.fanout.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;

/**
 * The main database: an external PostgreSQL given by URL, or the embedded one under the data directory.
 * Starting it applies the schema migrations ({@code db/migration}) with Flyway. Server start and
 * migrations block, so they run on a worker thread; the pool is Vert.x's non-blocking client.
 */
public final class Database {

  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final EmbeddedDatabase embedded;
  private final Vertx vertx;

  private Database(Vertx vertx, Pool pool, PgConnectOptions connectOptions, EmbeddedDatabase embedded) {
    this.vertx = vertx;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.embedded = embedded;
  }

  /**
   * Starts (or connects to) the database and migrates it.
   *
   * @param url     a {@code postgresql://user:password@host:port/db} URI, or null for the embedded server
   * @param dataDir where the embedded server keeps its data
   */
  public static Future<Database> start(Vertx vertx, String url, Path dataDir, int poolSize) {
    return vertx.executeBlocking(() -> {
      EmbeddedDatabase embedded = url == null ? EmbeddedDatabase.start(dataDir) : null;
      String uri = embedded != null ? embedded.uri() : url;
      PgConnectOptions options = PgConnectOptions.fromUri(uri);
      try {
        migrate(options);
      } catch (RuntimeException e) {
        if (embedded != null) {
          embedded.close();
        }
        throw e;
      }
      Pool pool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(poolSize).setName("fanout-main"))
          .connectingTo(options)
          .using(vertx)
          .build();
      return new Database(vertx, pool, options, embedded);
    });
  }

  private static void migrate(PgConnectOptions options) {
    String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    Flyway.configure()
        .dataSource(jdbcUrl, options.getUser(), options.getPassword())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  public Pool pool() {
    return pool;
  }

  /** Succeeds when the database answers a query; for readiness checks. */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  /** Options for connections outside the pool (LISTEN, advisory locks). */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(connectOptions);
  }

  /** "embedded" or the external server's host:port/database, for /api/info. */
  public String description() {
    return embedded != null ? "embedded (port " + embedded.port() + ")"
        : connectOptions.getHost() + ":" + connectOptions.getPort() + "/" + connectOptions.getDatabase();
  }

  /** Closes the pool, then stops the embedded server if there is one. */
  public Future<Void> close() {
    return pool.close().compose(v -> embedded == null ? Future.<Void>succeededFuture()
        : vertx.executeBlocking(() -> {
          embedded.close();
          return null;
        }));
  }
}
