package dev.fanout.subscription;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fanout.outbox.ProcessedEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What one subscription has delivered, per blog: the newest version ({@code subscription_deliveries}), and
 * per event its processed record ({@code processed_events}, which the relay, the pruner and the trace read
 * for every group). An event or snapshot entry goes out only when its version is newer than the blog's
 * delivered one, so that re-sends through the shared topic (gap healing, start-up replay, audit repair)
 * never give the receiver an event again nor an older version after a newer one, and a snapshot and the
 * events after it never deliver one {@code (blogId, version)} twice.
 *
 * <p>Marks are written in one transaction per flush: marks made while a flush runs go together in the next
 * one. The newest versions are cached (the most recently used blogs) and updated at once when a mark is
 * made; blogs missing from the cache are read, a batch's at once ({@link #load}). Safe to call from any
 * thread. Within one process a blog's checks and marks come in order, since one author's deliveries go one
 * at a time.
 */
final class DeliveryMarks {

  /** Blogs whose newest delivered version is kept in memory, per subscription. */
  static final int CACHED_BLOGS = 10_000;

  private static final String NEWEST = "SELECT blog_id, version FROM subscription_deliveries "
      + "WHERE group_name = $1 AND blog_id = ANY($2::uuid[])";
  private static final String UPSERT = "INSERT INTO subscription_deliveries (group_name, blog_id, version) "
      + "SELECT $1, b, v FROM unnest($2::uuid[], $3::int[]) AS m(b, v) "
      + "ON CONFLICT (group_name, blog_id) DO UPDATE SET version = greatest(subscription_deliveries.version, "
      + "excluded.version)";

  /** One delivery to remember; {@code eventId} is null for a snapshot entry. */
  record Mark(UUID eventId, UUID blogId, int version) {
    Mark {
      Objects.requireNonNull(blogId, "blogId");
    }
  }

  private final Pool pool;
  private final String group;
  private final Cache<UUID, Integer> newest = Caffeine.newBuilder().maximumSize(CACHED_BLOGS).build();
  // marks waiting for the next flush, and the promise that flush completes; guarded by this
  private List<Mark> pending = new ArrayList<>();
  private Promise<Void> pendingWritten = Promise.promise();
  // the flush running now, or null; guarded by this
  private Promise<Void> flushing;
  // whether a flush loop runs (it goes on while marks wait); guarded by this
  private boolean flusher;

  DeliveryMarks(Pool pool, String group) {
    this.pool = pool;
    this.group = group;
  }

  /** Reads the newest delivered versions of the blogs not in the cache, in one query. */
  Future<Void> load(Collection<UUID> blogIds) {
    UUID[] missing = blogIds.stream().distinct().filter(id -> newest.getIfPresent(id) == null).toArray(UUID[]::new);
    if (missing.length == 0) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(NEWEST).execute(Tuple.tuple().addString(group).addArrayOfUUID(missing)).map(rows -> {
      for (UUID id : missing) {
        newest.asMap().merge(id, 0, Math::max);
      }
      rows.forEach(row -> newest.asMap().merge(row.getUUID("blog_id"), row.getInteger("version"), Math::max));
      return null;
    });
  }

  /** The newest version delivered for {@code blogId}, 0 when none. */
  Future<Integer> newest(UUID blogId) {
    Integer cached = newest.getIfPresent(blogId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return load(List.of(blogId)).map(v -> newest.asMap().getOrDefault(blogId, 0));
  }

  /** Remembers a delivery; the future completes once it is written (its flush's outcome). */
  Future<Void> record(Mark mark) {
    newest.asMap().merge(mark.blogId(), mark.version(), Math::max);
    Future<Void> written;
    boolean start;
    synchronized (this) {
      pending.add(mark);
      written = pendingWritten.future();
      start = !flusher;
      flusher = true;
    }
    if (start) {
      flush();
    }
    return written;
  }

  /** Completes once every mark made so far is written; fails when the flush that carried one failed. */
  synchronized Future<Void> written() {
    if (!pending.isEmpty()) {
      return pendingWritten.future();
    }
    return flushing == null ? Future.succeededFuture() : flushing.future();
  }

  private void flush() {
    List<Mark> batch;
    Promise<Void> done;
    synchronized (this) {
      if (pending.isEmpty()) {
        flushing = null;
        flusher = false;
        return;
      }
      batch = pending;
      done = pendingWritten;
      pending = new ArrayList<>();
      pendingWritten = Promise.promise();
      flushing = done;
    }
    // one row per blog (an upsert may touch a row once per statement), in one order for every flush
    Map<UUID, Integer> versions = new TreeMap<>();
    List<UUID> events = new ArrayList<>();
    for (Mark m : batch) {
      versions.merge(m.blogId(), m.version(), Math::max);
      if (m.eventId() != null) {
        events.add(m.eventId());
      }
    }
    pool.withTransaction(conn -> conn.preparedQuery(UPSERT).execute(Tuple.tuple().addString(group)
            .addArrayOfUUID(versions.keySet().toArray(UUID[]::new))
            .addArrayOfInteger(versions.values().toArray(Integer[]::new)))
        .compose(v -> events.isEmpty() ? Future.succeededFuture() : ProcessedEvents.record(conn, group, events)))
        .onComplete(ar -> {
          // the next flush starts before the waiters hear: a waiter that marks again joins it
          flush();
          if (ar.succeeded()) {
            done.complete();
          } else {
            done.fail(ar.cause());
          }
        });
  }
}
