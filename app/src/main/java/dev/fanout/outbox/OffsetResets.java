package dev.fanout.outbox;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Notes that a group's committed offsets were moved by an operator, where every instance sees it: the relay's
 * leader then looks for the records the group passed over without handling them ({@link GapHealer}). Note a
 * reset after the stream took it, so that the offsets the leader reads then are the new ones.
 */
public final class OffsetResets {

  private final SqlClient client;

  public OffsetResets(SqlClient client) {
    this.client = client;
  }

  /** Notes a reset of {@code group} that the stream has taken. */
  public Future<Void> noted(String group) {
    return client.preparedQuery("INSERT INTO offset_resets (group_name) VALUES ($1)").execute(Tuple.of(group))
        .mapEmpty();
  }
}
