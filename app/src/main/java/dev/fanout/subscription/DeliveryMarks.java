package dev.fanout.subscription;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fanout.outbox.ProcessedEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
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
 * <p>Marks are written in one transaction per flush: a mark asked while a flush runs goes with the next one.
 * The newest versions are cached (the most recently used blogs); a blog missing from the cache is read.
 * Safe to call from any thread. Within one process a blog's checks and marks come in order, since one
 * author's deliveries go one at a time.
 */
final class DeliveryMarks {

  /** Blogs whose newest delivered version is kept in memory, per subscription. */
  static final int CACHED_BLOGS = 10_000;

  private static final String NEWEST =
      "SELECT version FROM subscription_deliveries WHERE group_name = $1 AND blog_id = $2";
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

  private record Waiting(Mark mark, Promise<Void> written) {
  }

  private final Pool pool;
  private final String group;
  private final Cache<UUID, Integer> newest = Caffeine.newBuilder().maximumSize(CACHED_BLOGS).build();
  private List<Waiting> pending = new ArrayList<>(); // guarded by this
  private boolean flushing; // guarded by this

  DeliveryMarks(Pool pool, String group) {
    this.pool = pool;
    this.group = group;
  }

  /** The newest version delivered for {@code blogId}, 0 when none. */
  Future<Integer> newest(UUID blogId) {
    Integer cached = newest.getIfPresent(blogId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return pool.preparedQuery(NEWEST).execute(Tuple.of(group, blogId)).map(rows -> {
      int version = rows.size() == 0 ? 0 : rows.iterator().next().getInteger("version");
      newest.asMap().merge(blogId, version, Math::max);
      return newest.asMap().getOrDefault(blogId, version);
    });
  }

  /** Remembers a delivery; the future completes once it is written. */
  Future<Void> record(Mark mark) {
    newest.asMap().merge(mark.blogId(), mark.version(), Math::max);
    Promise<Void> written = Promise.promise();
    boolean start;
    synchronized (this) {
      pending.add(new Waiting(mark, written));
      start = !flushing;
      flushing = true;
    }
    if (start) {
      flush();
    }
    return written.future();
  }

  private void flush() {
    List<Waiting> batch;
    synchronized (this) {
      batch = pending;
      if (batch.isEmpty()) {
        flushing = false;
        return;
      }
      pending = new ArrayList<>();
    }
    // one row per blog (an upsert may touch a row once per statement), in one order for every flush
    Map<UUID, Integer> versions = new TreeMap<>();
    List<UUID> events = new ArrayList<>();
    for (Waiting w : batch) {
      versions.merge(w.mark().blogId(), w.mark().version(), Math::max);
      if (w.mark().eventId() != null) {
        events.add(w.mark().eventId());
      }
    }
    pool.withTransaction(conn -> conn.preparedQuery(UPSERT).execute(Tuple.tuple().addString(group)
            .addArrayOfUUID(versions.keySet().toArray(UUID[]::new))
            .addArrayOfInteger(versions.values().toArray(Integer[]::new)))
        .compose(v -> events.isEmpty() ? Future.succeededFuture() : ProcessedEvents.record(conn, group, events)))
        .onComplete(ar -> {
          for (Waiting w : batch) {
            if (ar.succeeded()) {
              w.written().complete();
            } else {
              w.written().fail(ar.cause());
            }
          }
          flush();
        });
  }

  /** Records events passed over without a delivery (an older version): processed for this group. */
  Future<Void> passedOver(UUID eventId, UUID blogId, int version) {
    return record(new Mark(eventId, blogId, version));
  }
}
