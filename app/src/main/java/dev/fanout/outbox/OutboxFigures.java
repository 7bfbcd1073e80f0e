package dev.fanout.outbox;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * What the dashboard shows of the outbox, read in one statement that writes nothing: how many events wait
 * for the relay, how long the oldest of them has waited, and how many events were ever appended (the id
 * sequence, whose growth between two readings is the rate of appends).
 *
 * <p>The unsent rows are counted on the partial index of unsent rows and only up to {@code cap}, so a
 * reading costs about the same however far behind the relay is. Meant for one caller once a second (the
 * dashboard's sampler); {@link #read()} returns at once and completes on the caller's context.
 */
public final class OutboxFigures {

  // every part walks an index (outbox_unsent, the sequence) and stops early: no scan of the table
  private static final String READ =
      "SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT $1) u) AS unsent, "
          + "(SELECT (extract(epoch FROM clock_timestamp() - created_at) * 1000)::bigint FROM outbox "
          + "  WHERE sent_at IS NULL ORDER BY id LIMIT 1) AS oldest_unsent_millis, "
          + "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM outbox_id_seq) AS appended";

  /**
   * One reading.
   *
   * @param unsent             events not yet sent to the stream, at most the cap
   * @param capped             whether the count stopped at the cap (there may be more)
   * @param oldestUnsentMillis how long ago the oldest unsent event was written; null when none waits
   * @param appended           events ever appended (ids handed out; a rolled-back write uses one too)
   */
  public record Figures(long unsent, boolean capped, Long oldestUnsentMillis, long appended) {
  }

  private final SqlClient client;
  private final long cap;

  /** @param cap the most unsent rows a reading counts, at least 1 */
  public OutboxFigures(SqlClient client, long cap) {
    if (cap < 1) {
      throw new IllegalArgumentException("cap must be at least 1, was " + cap);
    }
    this.client = client;
    this.cap = cap;
  }

  /** Reads the figures now; fails when the database does not answer. */
  public Future<Figures> read() {
    return client.preparedQuery(READ).execute(Tuple.of(cap)).map(rows -> {
      Row row = rows.iterator().next();
      long unsent = row.getLong("unsent");
      return new Figures(unsent, unsent >= cap, row.getLong("oldest_unsent_millis"), row.getLong("appended"));
    });
  }
}
