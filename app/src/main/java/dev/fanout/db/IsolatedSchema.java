package dev.fanout.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;

/**
 * A PostgreSQL schema of its own holding Fanout's tables (the same migrations as the main database), with a
 * pool and connect options whose sessions find those tables first ({@code search_path}): the code that runs
 * on it is the code that runs on the main database, unchanged. For the lab, which runs each of its runs on a
 * fresh copy of the tables. {@link #drop} removes the schema and everything in it.
 *
 * <p>Migrations block, so they run on a worker thread; every method returns at once.
 */
public final class IsolatedSchema {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private final Vertx vertx;
  private final String name;
  private final PgConnectOptions database;
  private final PgConnectOptions options;
  private final Pool pool;

  private IsolatedSchema(Vertx vertx, String name, PgConnectOptions database, PgConnectOptions options, Pool pool) {
    this.vertx = vertx;
    this.name = name;
    this.database = database;
    this.options = options;
    this.pool = pool;
  }

  /**
   * Creates the database {@code name} on {@code server} unless it exists, and answers options that connect
   * to it. A database of its own keeps what is database-wide (advisory locks, NOTIFY channels) apart from
   * an app that runs on the server's main database.
   */
  public static Future<PgConnectOptions> database(Vertx vertx, PgConnectOptions server, String name) {
    if (!NAME.matcher(name).matches()) {
      return Future.failedFuture(new IllegalArgumentException("not a database name: " + name));
    }
    Pool admin = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(server).using(vertx).build();
    return admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1").execute(Tuple.of(name))
        .compose(rows -> rows.size() > 0 ? Future.<Void>succeededFuture()
            : admin.query("CREATE DATABASE " + name).execute().<Void>mapEmpty().recover(e ->
                // another process created it meanwhile
                e instanceof PgException pg && "42P04".equals(pg.getSqlState())
                    ? Future.succeededFuture() : Future.failedFuture(e)))
        .eventually(admin::close)
        .map(v -> new PgConnectOptions(server).setDatabase(name));
  }

  /** Creates schema {@code name} in {@code database}, migrates it and opens a pool of {@code poolSize} on it. */
  public static Future<IsolatedSchema> create(Vertx vertx, PgConnectOptions database, String name, int poolSize) {
    if (!NAME.matcher(name).matches()) {
      return Future.failedFuture(new IllegalArgumentException("not a schema name: " + name));
    }
    return vertx.executeBlocking(() -> {
      String jdbcUrl = "jdbc:postgresql://" + database.getHost() + ":" + database.getPort() + "/" + database.getDatabase();
      Flyway.configure()
          .dataSource(jdbcUrl, database.getUser(), database.getPassword())
          .schemas(name)
          .defaultSchema(name)
          .createSchemas(true)
          .locations("classpath:db/migration")
          .load()
          .migrate();
      PgConnectOptions options = new PgConnectOptions(database);
      options.addProperty("search_path", name);
      Pool pool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(poolSize).setName("fanout-" + name))
          .connectingTo(options)
          .using(vertx)
          .build();
      return new IsolatedSchema(vertx, name, database, options, pool);
    });
  }

  public String name() {
    return name;
  }

  /** A pool whose sessions use this schema. */
  public Pool pool() {
    return pool;
  }

  /** Options for connections outside the pool (LISTEN, advisory locks) that use this schema. */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(options);
  }

  /** Closes the pool, then drops the schema with everything in it. */
  public Future<Void> drop() {
    return pool.close().recover(e -> Future.succeededFuture()).compose(v -> {
      Pool admin = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(database).using(vertx).build();
      return admin.query("DROP SCHEMA IF EXISTS " + name + " CASCADE").execute().<Void>mapEmpty()
          .eventually(admin::close);
    });
  }
}
