package dev.fanout.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The main database: an external PostgreSQL given by URL, or the embedded one under the data directory.
 * Starting it applies the schema migrations ({@code db/migration}, see {@link Migrations}). Server start and
 * migrations block, so they run on a worker thread; the pool is Vert.x's non-blocking client.
 *
 * <p>The database must store text as UTF8: a start on any other server encoding is refused before anything
 * is migrated, since otherwise a single character the encoding lacks fails a whole batch of publishes.
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
   * @return fails with {@link IllegalStateException} when the database's server encoding is not UTF8
   */
  public static Future<Database> start(Vertx vertx, String url, Path dataDir, int poolSize) {
    return vertx.executeBlocking(() -> {
      EmbeddedDatabase embedded = url == null ? EmbeddedDatabase.start(dataDir) : null;
      String uri = embedded != null ? embedded.uri() : url;
      PgConnectOptions options = PgConnectOptions.fromUri(uri);
      // each connection parses and plans a statement once, not on every execution
      options.setCachePreparedStatements(true);
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
    try (Connection connection = DriverManager.getConnection(jdbcUrl, options.getUser(), options.getPassword())) {
      requireUtf8(connection, options);
      Migrations.apply(connection, jdbcUrl, options.getUser(), options.getPassword());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the server encoding of PostgreSQL database '"
          + options.getDatabase() + "' at " + options.getHost() + ":" + options.getPort() + ": " + e.getMessage(), e);
    }
  }

  private static void requireUtf8(Connection connection, PgConnectOptions options) throws SQLException {
    String encoding;
    try (Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery("SHOW server_encoding")) {
      result.next();
      encoding = result.getString(1);
    }
    if (!"UTF8".equalsIgnoreCase(encoding)) {
      throw new IllegalStateException("PostgreSQL database '" + options.getDatabase() + "' at " + options.getHost()
          + ":" + options.getPort() + " has server encoding " + encoding + "; Fanout needs UTF8 (blogs hold any "
          + "Unicode text). Create the database with CREATE DATABASE ... WITH ENCODING 'UTF8' TEMPLATE template0");
    }
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
