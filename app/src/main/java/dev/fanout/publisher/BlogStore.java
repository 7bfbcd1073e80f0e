package dev.fanout.publisher;

import dev.fanout.core.Refusal;
import dev.fanout.db.TransactionBatcher;
import dev.fanout.events.BlogEvent;
import dev.fanout.outbox.Outbox;
import dev.fanout.outbox.RelaySignal;
import dev.fanout.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * Blogs and their outbox in PostgreSQL. Every change writes the blog row and exactly one outbox row in
 * the same transaction, so the event exists if and only if the change does. Writes go through a
 * {@link TransactionBatcher}; expected refusals (not found, wrong author, reused idempotency key) are
 * {@link Refusal}s raised before anything is written.
 *
 * <p>With tracing on, each write keeps the trace context of the request that asked for it (the span current
 * when the method is called: the HTTP server's span on the request's context) in its outbox row, in the same
 * transaction; the relay sends it with the event, and the batcher's span of the transaction links to it.
 *
 * <p>Use from one Vert.x context (the batcher's).
 */
public final class BlogStore {

  private static final String CLAIM_IDEMPOTENCY_KEY =
      "INSERT INTO idempotency_keys (idem_key, request_hash, blog_id, event_id, version) VALUES ($1, $2, $3, $4, 1) "
          + "ON CONFLICT (idem_key) DO NOTHING RETURNING idem_key";
  private static final String READ_IDEMPOTENCY_KEY =
      "SELECT request_hash, blog_id, event_id, version FROM idempotency_keys WHERE idem_key = $1";
  private static final String INSERT_BLOG =
      "INSERT INTO blogs (blog_id, author_id, title, body, tags, version, published_at, updated_at) "
          + "VALUES ($1, $2, $3, $4, $5, 1, $6, $6)";
  private static final String UPDATE_BLOG =
      "UPDATE blogs SET title = $3, body = $4, tags = $5, version = version + 1, updated_at = $6 "
          + "WHERE blog_id = $1 AND author_id = $2 AND NOT deleted RETURNING version, published_at";
  private static final String DELETE_BLOG =
      "UPDATE blogs SET deleted = true, version = version + 1, updated_at = $2 "
          + "WHERE blog_id = $1 AND NOT deleted AND ($3::text IS NULL OR author_id = $3) RETURNING author_id, version";
  private static final String FIND_OWNER = "SELECT author_id FROM blogs WHERE blog_id = $1 AND NOT deleted";
  private static final String FIRST_VERSIONS =
      "SELECT blog_id, author_id, version, deleted FROM blogs ORDER BY blog_id LIMIT $1";
  private static final String NEXT_VERSIONS =
      "SELECT blog_id, author_id, version, deleted FROM blogs WHERE blog_id > $2 ORDER BY blog_id LIMIT $1";
  private static final String LIVE_COUNTS =
      "SELECT author_id, count(*) AS n FROM blogs WHERE NOT deleted AND author_id > $1 "
          + "GROUP BY author_id ORDER BY author_id LIMIT $2";
  private static final String LIVE_PAGE = "SELECT blog_id, author_id, title, body, tags, version, published_at, "
      + "updated_at FROM blogs WHERE NOT deleted AND ($2::uuid IS NULL OR blog_id > $2) ORDER BY blog_id LIMIT $1";
  private static final String FIND_BLOG =
      "SELECT blog_id, author_id, title, body, tags, version, published_at, updated_at FROM blogs "
          + "WHERE blog_id = $1 AND NOT deleted";

  /** One blog row as the audit compares it with the index: a deleted blog stays as a tombstone row. */
  public record BlogVersion(UUID blogId, String authorId, int version, boolean deleted) {
  }

  /** What a write answers: the blog, the event it produced, and the blog's new version. */
  public record Written(UUID blogId, UUID eventId, int version, boolean replayed) {
    public JsonObject toJson() {
      return new JsonObject().put("blogId", blogId.toString()).put("eventId", eventId.toString())
          .put("version", version);
    }
  }

  private final Pool pool;
  private final TransactionBatcher batcher;
  private final RelaySignal signal;
  private final PlainPublishes plain;
  private final Tracing tracing;

  /** @param signal wakes the outbox relay after a commit (or tells the write to NOTIFY it) */
  public BlogStore(Pool pool, TransactionBatcher batcher, RelaySignal signal) {
    this(pool, batcher, signal, Tracing.off());
  }

  /** @param tracing whether writes keep their request's trace context (see the class comment) */
  public BlogStore(Pool pool, TransactionBatcher batcher, RelaySignal signal, Tracing tracing) {
    this.pool = pool;
    this.batcher = batcher;
    this.signal = signal;
    this.tracing = tracing;
    this.plain = new PlainPublishes(batcher, signal);
  }

  /**
   * Publishes a new blog; with an idempotency key, a repeat of the same request returns the first answer.
   * Keys are the author's own: two authors may use the same key without meeting.
   */
  public Future<Written> publish(BlogDraft draft, String idempotencyKey) {
    if (idempotencyKey == null) {
      // the common case: written with the other plain publishes of the moment, two statements in all
      return plain.publish(newBlog(draft), request());
    }
    // an author id has no ':', so "author:key" names one author's key and no other
    String key = draft.authorId() + ":" + idempotencyKey;
    SpanContext request = request();
    return write(request, conn -> {
      UUID blogId = UUID.randomUUID();
      UUID eventId = UUID.randomUUID();
      String fingerprint = draft.fingerprint();
      return conn.preparedQuery(CLAIM_IDEMPOTENCY_KEY)
          .execute(Tuple.of(key, fingerprint, blogId, eventId))
          .compose(claimed -> claimed.size() == 1
              ? insertBlog(conn, draft, blogId, eventId, request)
              : replay(conn, key, fingerprint));
    });
  }

  /**
   * Publishes a new blog as {@link #publish} does without an idempotency key, and answers the event it
   * committed with the blog (the outbox row's payload): for a writer that sends the event to the stream
   * itself (the lab's designs without a relay).
   */
  public Future<BlogEvent> publishEvent(BlogDraft draft) {
    BlogEvent event = newBlog(draft);
    return plain.publish(event, request()).map(event);
  }

  // the event of a new blog, published now: a plain publish writes the blog from it
  private static BlogEvent newBlog(BlogDraft draft) {
    Instant now = now().toInstant();
    return new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(), draft.authorId(), 1,
        draft.title(), draft.body(), draft.tags(), now, now);
  }

  /** Replaces a blog's content; the draft's author must be the blog's author (else {@code not_owner}). */
  public Future<Written> update(UUID blogId, BlogDraft draft) {
    SpanContext request = request();
    return write(request, conn -> {
      OffsetDateTime now = now();
      return conn.preparedQuery(UPDATE_BLOG)
          .execute(Tuple.of(blogId, draft.authorId(), draft.title(), draft.body(), draft.tags().toArray(String[]::new), now))
          .compose(rows -> {
            if (rows.size() == 0) {
              return whyNotWritten(conn, blogId);
            }
            Row row = rows.iterator().next();
            BlogEvent event = new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogUpdated, blogId, draft.authorId(),
                row.getInteger("version"), draft.title(), draft.body(), draft.tags(),
                row.getOffsetDateTime("published_at").toInstant(), now.toInstant());
            return appendToOutbox(conn, event, request);
          });
    });
  }

  /**
   * Deletes a blog (it stays as a tombstone row) as {@code author}, who must be its author ({@code not_owner}
   * otherwise); null deletes whoever's it is. Not found when it does not exist or is already deleted.
   */
  public Future<Written> delete(UUID blogId, String author) {
    SpanContext request = request();
    return write(request, conn -> {
      OffsetDateTime now = now();
      return conn.preparedQuery(DELETE_BLOG).execute(Tuple.of(blogId, now, author)).compose(rows -> {
        if (rows.size() == 0) {
          return whyNotWritten(conn, blogId);
        }
        Row row = rows.iterator().next();
        BlogEvent event = new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogDeleted, blogId,
            row.getString("author_id"), row.getInteger("version"), null, null, List.of(), null, now.toInstant());
        return appendToOutbox(conn, event, request);
      });
    });
  }

  /** A live blog as JSON, or a not-found refusal. Reads outside the batcher: no transaction needed. */
  public Future<JsonObject> find(UUID blogId) {
    return pool.preparedQuery(FIND_BLOG).execute(Tuple.of(blogId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Refusal.notFound("blog " + blogId));
      }
      return Future.succeededFuture(json(rows.iterator().next()));
    });
  }

  /**
   * Up to {@code limit} live blogs as they are now, as {@link #find} gives them, in blog id order after
   * {@code after} (null: from the first): a subscription's snapshot reads them page by page.
   */
  public Future<List<JsonObject>> live(UUID after, int limit) {
    return pool.preparedQuery(LIVE_PAGE).execute(Tuple.of(limit, after)).map(rows -> {
      List<JsonObject> page = new ArrayList<>(rows.size());
      rows.forEach(row -> page.add(json(row)));
      return page;
    });
  }

  private static JsonObject json(Row row) {
    return new JsonObject()
        .put("blogId", row.getUUID("blog_id").toString())
        .put("authorId", row.getString("author_id"))
        .put("title", row.getString("title"))
        .put("body", row.getString("body"))
        .put("tags", new JsonArray(Arrays.asList(row.getArrayOfStrings("tags"))))
        .put("version", row.getInteger("version"))
        .put("publishedAt", row.getOffsetDateTime("published_at").toInstant().toString())
        .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString());
  }

  /** Up to {@code limit} blogs, live or deleted, in blog id order after {@code after} (null: from the first). */
  public Future<List<BlogVersion>> versions(UUID after, int limit) {
    Future<RowSet<Row>> page = after == null
        ? pool.preparedQuery(FIRST_VERSIONS).execute(Tuple.of(limit))
        : pool.preparedQuery(NEXT_VERSIONS).execute(Tuple.of(limit, after));
    return page.map(rows -> {
      List<BlogVersion> versions = new ArrayList<>(rows.size());
      for (Row row : rows) {
        versions.add(new BlogVersion(row.getUUID("blog_id"), row.getString("author_id"), row.getInteger("version"),
            row.getBoolean("deleted")));
      }
      return versions;
    });
  }

  /**
   * Live blogs per author, for up to {@code limit} authors with live blogs after {@code after} in author id
   * order ("" for the first).
   */
  public Future<SortedMap<String, Long>> liveCounts(String after, int limit) {
    return pool.preparedQuery(LIVE_COUNTS).execute(Tuple.of(after, limit)).map(rows -> {
      SortedMap<String, Long> counts = new TreeMap<>();
      for (Row row : rows) {
        counts.put(row.getString("author_id"), row.getLong("n"));
      }
      return counts;
    });
  }

  private Future<Written> insertBlog(SqlConnection conn, BlogDraft draft, UUID blogId, UUID eventId,
                                     SpanContext request) {
    OffsetDateTime now = now();
    BlogEvent event = new BlogEvent(eventId, BlogEvent.Type.BlogPublished, blogId, draft.authorId(), 1,
        draft.title(), draft.body(), draft.tags(), now.toInstant(), now.toInstant());
    return conn.preparedQuery(INSERT_BLOG)
        .execute(Tuple.of(blogId, draft.authorId(), draft.title(), draft.body(), draft.tags().toArray(String[]::new), now))
        .compose(v -> appendToOutbox(conn, event, request));
  }

  private Future<Written> replay(SqlConnection conn, String idempotencyKey, String fingerprint) {
    return conn.preparedQuery(READ_IDEMPOTENCY_KEY).execute(Tuple.of(idempotencyKey)).compose(rows -> {
      Row row = rows.iterator().next();
      if (!row.getString("request_hash").equals(fingerprint)) {
        return Future.failedFuture(new Refusal(Refusal.Kind.KEY_REUSED, "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request", "Idempotency-Key"));
      }
      return Future.succeededFuture(new Written(row.getUUID("blog_id"), row.getUUID("event_id"),
          row.getInteger("version"), true));
    });
  }

  // A write that matched no row: the blog is not there (or deleted), or it is another author's.
  private Future<Written> whyNotWritten(SqlConnection conn, UUID blogId) {
    return conn.preparedQuery(FIND_OWNER).execute(Tuple.of(blogId)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(Refusal.notFound("blog " + blogId))
        : Future.failedFuture(Refusal.notOwner("blog " + blogId + " belongs to another author", null)));
  }

  private Future<Written> appendToOutbox(SqlConnection conn, BlogEvent event, SpanContext request) {
    return Outbox.append(conn, event, signal.notifyInTransaction(),
            request == null ? null : Tracing.traceparent(request))
        .map(v -> new Written(event.blogId(), event.eventId(), event.version(), false));
  }

  // The span of the request being served, when tracing is on (no look-up at all when off); it may be invalid:
  // a request that is not traced.
  private SpanContext request() {
    return tracing.on() ? Span.current().getSpanContext() : null;
  }

  // A write through the batcher, carrying its request; once it committed an event, the relay is woken.
  private Future<Written> write(SpanContext request, Function<SqlConnection, Future<Written>> work) {
    return batcher.submit(work, request == null ? null : () -> List.of(request)).onSuccess(written -> {
      if (!written.replayed()) {
        signal.committed();
      }
    });
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
  }

}
