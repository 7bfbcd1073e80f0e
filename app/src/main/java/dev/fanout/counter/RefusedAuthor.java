package dev.fanout.counter;

import dev.fanout.core.AuthorId;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

/**
 * A drill: a CHECK constraint on {@code author_stats} that makes the counter's database refuse one author's
 * events, as a bad migration or a bug would (SQLSTATE 23514, a permanent failure: the event is
 * dead-lettered). Dropping it is the operator's fix, after which a replay counts the dead letters.
 */
public final class RefusedAuthor {

  private static final String CONSTRAINT = "drill_refused_author";

  private RefusedAuthor() {
  }

  /** From now on the counter's writes for {@code authorId} fail; one refused author at a time. */
  public static Future<Void> refuse(SqlClient client, String authorId) {
    if (!AuthorId.isValid(authorId)) {
      return Future.failedFuture(new IllegalArgumentException("not an author id: " + authorId));
    }
    // DDL takes no parameters; a valid author id has no quote to escape
    return client.query("ALTER TABLE author_stats ADD CONSTRAINT " + CONSTRAINT + " CHECK (author_id <> '"
        + authorId + "')").execute().mapEmpty();
  }

  /** Drops the constraint {@link #refuse} added, if there is one. */
  public static Future<Void> acceptAll(SqlClient client) {
    return client.query("ALTER TABLE author_stats DROP CONSTRAINT IF EXISTS " + CONSTRAINT).execute().mapEmpty();
  }
}
