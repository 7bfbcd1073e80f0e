package dev.fanout.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * A statement timeout scoped to one transaction ({@code SET LOCAL statement_timeout}): for transactions that
 * must not wait without end (a sink's, bounded by its group's sink timeout), while the pool's other users
 * (the audit's whole-table reads, the migrations) keep the server's setting. A statement past it fails with
 * SQLSTATE 57014 (query_canceled) and the transaction rolls back, giving its connection back to the pool.
 */
public final class StatementTimeout {

  private StatementTimeout() {
  }

  /**
   * Sets the timeout of every later statement of the transaction {@code conn} is in; it ends with the
   * transaction. Outside a transaction PostgreSQL ignores it (with a warning).
   */
  public static Future<Void> setLocal(SqlConnection conn, long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("a statement timeout must be positive");
    }
    // SET takes no parameters: the value is written in, and a long cannot carry anything else
    return conn.query("SET LOCAL statement_timeout = " + millis).execute().mapEmpty();
  }
}
