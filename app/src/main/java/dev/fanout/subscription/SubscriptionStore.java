package dev.fanout.subscription;

import dev.fanout.core.Refusal;
import dev.fanout.outbox.ProcessedEvents;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code subscriptions} table: every subscription of every instance, with its progress (pause, snapshot,
 * expiry, deletion). All SQL of the table lives here.
 */
final class SubscriptionStore {

  private static final String COLUMNS = "name, incarnation, url, start_from, start_timestamp, max_in_flight, "
      + "timeout_ms, secret, previous_secret, previous_until, paused, owed_from, created_at, expired_at, "
      + "snapshot_pending, snapshot_after, deleted_at";
  // one insert at a time, so that two instances creating at once cannot pass the limit together
  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('fanout-subscriptions'))";
  private static final String COUNT = "SELECT count(*) AS n FROM subscriptions";
  private static final String INSERT = "INSERT INTO subscriptions (name, incarnation, url, start_from, "
      + "start_timestamp, max_in_flight, timeout_ms, secret, owed_from, snapshot_pending) "
      + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING " + COLUMNS;
  private static final String ALL = "SELECT " + COLUMNS + " FROM subscriptions ORDER BY created_at, name";
  private static final String ONE = "SELECT " + COLUMNS + " FROM subscriptions WHERE name = $1";
  private static final String SET_PAUSED = "UPDATE subscriptions SET paused = $2 WHERE name = $1 "
      + "AND deleted_at IS NULL RETURNING " + COLUMNS;
  private static final String MARK_DELETED = "UPDATE subscriptions SET deleted_at = coalesce(deleted_at, now()) "
      + "WHERE name = $1 RETURNING " + COLUMNS;
  private static final String REMOVE = "DELETE FROM subscriptions WHERE name = $1 AND incarnation = $2";
  private static final String FORGET_DELIVERIES = "DELETE FROM subscription_deliveries WHERE group_name = $1";
  private static final String ROTATE = "UPDATE subscriptions SET previous_secret = secret, previous_until = $3, "
      + "secret = $2 WHERE name = $1 AND deleted_at IS NULL RETURNING " + COLUMNS;
  private static final String EXPIRE = "UPDATE subscriptions SET expired_at = now() WHERE name = $1 "
      + "AND incarnation = $2 AND expired_at IS NULL AND deleted_at IS NULL";
  private static final String RESYNC = "UPDATE subscriptions SET expired_at = NULL, owed_from = now(), "
      + "snapshot_pending = true, snapshot_after = NULL WHERE name = $1 AND deleted_at IS NULL RETURNING " + COLUMNS;
  private static final String SNAPSHOT_PROGRESS = "UPDATE subscriptions SET snapshot_after = $3 "
      + "WHERE name = $1 AND incarnation = $2";
  private static final String SNAPSHOT_DONE = "UPDATE subscriptions SET snapshot_pending = false, "
      + "snapshot_after = NULL WHERE name = $1 AND incarnation = $2";

  private final Pool pool;

  SubscriptionStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores a new subscription; refused with {@code subscription_exists} when the name is taken (a deleted one
   * whose rows are still going counts) and with {@code subscriptions_full} at {@code max}.
   */
  Future<Subscription> insert(Subscription s, int max) {
    return pool.withTransaction(conn -> conn.query(LOCK).execute()
        .compose(v -> conn.query(COUNT).execute())
        .compose(rows -> {
          if (rows.iterator().next().getLong("n") >= max) {
            return Future.failedFuture(Refusal.conflict("subscriptions_full",
                "at most " + max + " subscriptions (--subscriptions-max); delete one first", null));
          }
          return conn.preparedQuery(INSERT).execute(Tuple.tuple().addString(s.name()).addUUID(s.incarnation())
              .addString(s.url()).addString(s.startFrom().wireName()).addLong(s.startTimestamp())
              .addInteger(s.maxInFlight()).addInteger(s.timeoutMs()).addString(s.secret())
              .addOffsetDateTime(utc(s.owedFrom())).addBoolean(s.snapshotPending()));
        }))
        .map(rows -> read(rows.iterator().next()))
        .recover(e -> Future.failedFuture(e instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? Refusal.conflict("subscription_exists", "a subscription named '" + s.name() + "' exists", "name")
            : e));
  }

  /** Every subscription, deleted ones whose rows are still going included, the oldest first. */
  Future<List<Subscription>> all() {
    return pool.query(ALL).execute().map(rows -> {
      List<Subscription> all = new ArrayList<>();
      rows.forEach(row -> all.add(read(row)));
      return all;
    });
  }

  Future<Optional<Subscription>> find(String name) {
    return one(ONE, Tuple.of(name));
  }

  Future<Optional<Subscription>> setPaused(String name, boolean paused) {
    return one(SET_PAUSED, Tuple.of(name, paused));
  }

  Future<Optional<Subscription>> markDeleted(String name) {
    return one(MARK_DELETED, Tuple.of(name));
  }

  /**
   * Removes what a deleted subscription leaves in the database: its row, its delivered versions, its
   * processed records and trouble. A subscription created later under the name starts clean.
   */
  Future<Void> remove(Subscription s) {
    return pool.withTransaction(conn -> conn.preparedQuery(FORGET_DELIVERIES).execute(Tuple.of(s.group()))
        .compose(v -> ProcessedEvents.forgetGroup(conn, s.group()))
        .compose(v -> conn.preparedQuery(REMOVE).execute(Tuple.of(s.name(), s.incarnation())))
        .mapEmpty());
  }

  Future<Optional<Subscription>> rotate(String name, String secret, Instant previousUntil) {
    return one(ROTATE, Tuple.of(name, secret, utc(previousUntil)));
  }

  /** Marks it expired; false when it was already, or is gone. */
  Future<Boolean> expire(Subscription s) {
    return pool.preparedQuery(EXPIRE).execute(Tuple.of(s.name(), s.incarnation())).map(rows -> rows.rowCount() > 0);
  }

  Future<Optional<Subscription>> resync(String name) {
    return one(RESYNC, Tuple.of(name));
  }

  Future<Void> snapshotProgress(Subscription s, UUID after) {
    return pool.preparedQuery(SNAPSHOT_PROGRESS).execute(Tuple.of(s.name(), s.incarnation(), after)).mapEmpty();
  }

  Future<Void> snapshotDone(Subscription s) {
    return pool.preparedQuery(SNAPSHOT_DONE).execute(Tuple.of(s.name(), s.incarnation())).mapEmpty();
  }

  private Future<Optional<Subscription>> one(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).map(rows -> rows.size() == 0
        ? Optional.empty() : Optional.of(read(rows.iterator().next())));
  }

  private static Subscription read(Row row) {
    return new Subscription(row.getString("name"), row.getUUID("incarnation"), row.getString("url"),
        Subscription.StartFrom.of(row.getString("start_from")), row.getLong("start_timestamp"),
        row.getInteger("max_in_flight"), row.getInteger("timeout_ms"), row.getString("secret"),
        row.getString("previous_secret"), instant(row.getOffsetDateTime("previous_until")),
        row.getBoolean("paused"), instant(row.getOffsetDateTime("owed_from")),
        instant(row.getOffsetDateTime("created_at")), instant(row.getOffsetDateTime("expired_at")),
        row.getBoolean("snapshot_pending"), row.getUUID("snapshot_after"),
        instant(row.getOffsetDateTime("deleted_at")));
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  private static OffsetDateTime utc(Instant time) {
    return time == null ? null : time.atOffset(ZoneOffset.UTC);
  }
}
