package dev.fanout.publisher;

import dev.fanout.core.Refusal;
import dev.fanout.db.TransactionBatcher;
import dev.fanout.events.BlogEvent;
import dev.fanout.outbox.Outbox;
import dev.fanout.outbox.RelaySignal;
import dev.fanout.tracing.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Publishes without an idempotency key, written a group at a time: the publishes that arrive while the
 * {@link TransactionBatcher} is busy join one unit of work, which writes all their blog rows in one
 * statement and all their outbox rows in another, in arrival order. A group is one unit of the batcher, so
 * it commits (or fails) as one, with the batcher's outcomes: a group the database rejects fails whole, with
 * the database's error, and nothing of it is written.
 *
 * <p>At most {@value #MAX_WAITING} publishes (by default) wait for their group to start; beyond, a publish is refused at
 * once as {@link Refusal.Kind#OVERLOADED}, as the batcher refuses units beyond its own bound.
 *
 * <p>Use from the batcher's context only.
 */
final class PlainPublishes {

  /** The most publishes one group writes. */
  static final int MAX_GROUP = 500;
  /** The most publishes that may wait for their group to start; beyond, a publish is refused as overloaded. */
  static final int MAX_WAITING = 10_000;

  private static final String INSERT_BLOGS =
      "INSERT INTO blogs (blog_id, author_id, title, body, tags, version, published_at, updated_at) "
          + "SELECT b.id, b.author, b.title, b.body, ARRAY(SELECT jsonb_array_elements_text(b.tags::jsonb)), 1, b.at, b.at "
          + "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) "
          + "AS b(id, author, title, body, tags, at)";

  // request: the span of the request that asked for it; null when tracing is off
  private record Pending(BlogEvent event, SpanContext request, Promise<BlogStore.Written> written) {
  }

  /** Publishes that share one unit; the unit takes them when it starts, and may run again with the same. */
  private static final class Group {
    final List<Pending> publishes = new ArrayList<>();
    boolean started;
  }

  private final TransactionBatcher batcher;
  private final RelaySignal signal;
  private final int maxWaiting;
  // accessed on the batcher's context only
  private Group open;
  private int waiting;

  PlainPublishes(TransactionBatcher batcher, RelaySignal signal) {
    this(batcher, signal, MAX_WAITING);
  }

  PlainPublishes(TransactionBatcher batcher, RelaySignal signal, int maxWaiting) {
    this.batcher = batcher;
    this.signal = signal;
    this.maxWaiting = maxWaiting;
  }

  /** Publishes {@code event} (a BlogPublished of version 1) with the next group to be written. */
  Future<BlogStore.Written> publish(BlogEvent event) {
    return publish(event, null);
  }

  /**
   * Publishes {@code event} as {@link #publish(BlogEvent)} does, for the request whose span is {@code request}
   * (null when tracing is off; invalid when the request is not traced): its outbox row keeps it.
   */
  Future<BlogStore.Written> publish(BlogEvent event, SpanContext request) {
    if (waiting >= maxWaiting) {
      return Future.failedFuture(Refusal.overloaded());
    }
    waiting++;
    Promise<BlogStore.Written> written = Promise.promise();
    if (open != null && !open.started && open.publishes.size() < MAX_GROUP) {
      open.publishes.add(new Pending(event, request, written));
    } else {
      open = new Group();
      Group group = open;
      group.publishes.add(new Pending(event, request, written));
      // asked by the batcher only with tracing on, after the group started (and stopped growing)
      batcher.submit(conn -> write(conn, group), () -> requests(group)).onComplete(ar -> {
        if (!group.started) {
          // failed before it ran (the batcher's bound, no database): closed, so that nobody joins it any more
          group.started = true;
          waiting -= group.publishes.size();
        }
        for (Pending publish : group.publishes) {
          if (ar.succeeded()) {
            BlogEvent e = publish.event();
            publish.written().complete(new BlogStore.Written(e.blogId(), e.eventId(), e.version(), false));
          } else {
            publish.written().fail(ar.cause());
          }
        }
        if (ar.succeeded()) {
          signal.committed();
        }
      });
    }
    return written.future();
  }

  private static List<SpanContext> requests(Group group) {
    List<SpanContext> requests = new ArrayList<>(group.publishes.size());
    for (Pending publish : group.publishes) {
      requests.add(publish.request() == null ? SpanContext.getInvalid() : publish.request());
    }
    return requests;
  }

  private Future<Void> write(SqlConnection conn, Group group) {
    if (!group.started) {
      group.started = true;
      waiting -= group.publishes.size();
    }
    int n = group.publishes.size();
    List<BlogEvent> events = new ArrayList<>(n);
    UUID[] ids = new UUID[n];
    String[] authors = new String[n];
    String[] titles = new String[n];
    String[] bodies = new String[n];
    String[] tags = new String[n];
    OffsetDateTime[] at = new OffsetDateTime[n];
    String[] traceparents = new String[n];
    for (int i = 0; i < n; i++) {
      Pending publish = group.publishes.get(i);
      BlogEvent event = publish.event();
      traceparents[i] = publish.request() == null ? null : Tracing.traceparent(publish.request());
      events.add(event);
      ids[i] = event.blogId();
      authors[i] = event.authorId();
      titles[i] = event.title();
      bodies[i] = event.body();
      tags[i] = new JsonArray(event.tags()).encode();
      at[i] = event.occurredAt().atOffset(ZoneOffset.UTC);
    }
    return conn.preparedQuery(INSERT_BLOGS)
        .execute(Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(authors).addArrayOfString(titles)
            .addArrayOfString(bodies).addArrayOfString(tags).addArrayOfOffsetDateTime(at))
        .compose(v -> Outbox.appendAll(conn, events, traceparents, signal.notifyInTransaction()));
  }
}
