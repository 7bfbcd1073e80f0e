package dev.fanout.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;

/**
 * A PostgreSQL session advisory lock held on a connection of its own: held until {@link #close} (or the end of
 * the process, which ends the session). From that connection, other keys can be tried and let go again.
 */
public final class SessionLock {

  private final PgConnection connection;

  private SessionLock(PgConnection connection) {
    this.connection = connection;
  }

  /** Connects to {@code database} and waits for the lock {@code key}. */
  public static Future<SessionLock> hold(Vertx vertx, PgConnectOptions database, long key) {
    return PgConnection.connect(vertx, database).compose(connection -> connection
        .preparedQuery("SELECT pg_advisory_lock($1)").execute(Tuple.of(key))
        .map(rows -> new SessionLock(connection))
        .onFailure(e -> connection.close()));
  }

  /** Whether the lock {@code key} was free; if so, this session holds it until {@link #release}. */
  public Future<Boolean> tryAlso(long key) {
    return connection.preparedQuery("SELECT pg_try_advisory_lock($1) AS free").execute(Tuple.of(key))
        .map(rows -> rows.iterator().next().getBoolean("free"));
  }

  /** Lets go of a lock {@link #tryAlso} took. */
  public Future<Void> release(long key) {
    return connection.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(key)).mapEmpty();
  }

  /** The schemas of this database whose names start with {@code prefix} (letters, digits, underscores). */
  public Future<java.util.List<String>> schemasStartingWith(String prefix) {
    if (!prefix.matches("[a-z0-9_]+")) {
      return Future.failedFuture(new IllegalArgumentException("not a schema name prefix: " + prefix));
    }
    return connection.preparedQuery("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)")
        .execute(Tuple.of(prefix))
        .map(rows -> {
          java.util.List<String> names = new java.util.ArrayList<>();
          rows.forEach(row -> names.add(row.getString(0)));
          return names;
        });
  }

  /** Drops schema {@code name} with everything in it, if it exists. */
  public Future<Void> dropSchema(String name) {
    if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
      return Future.failedFuture(new IllegalArgumentException("not a schema name: " + name));
    }
    return connection.query("DROP SCHEMA IF EXISTS " + name + " CASCADE").execute().mapEmpty();
  }

  /** Ends the session, and with it every lock it holds. */
  public Future<Void> close() {
    return connection.close();
  }
}
