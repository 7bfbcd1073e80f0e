package dev.fanout.search.opensearch;

import dev.fanout.events.BlogEvent;
import io.vertx.core.buffer.Buffer;
import dev.fanout.consumer.PermanentFailure;
import dev.fanout.consumer.SinkUnavailable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code _bulk} request for a batch of events, and the verdict on its answer. Pure: no I/O.
 *
 * <p>Every event becomes one {@code index} action with the blog id as document id and the blog's version as
 * an <em>external</em> version, so OpenSearch itself keeps only the highest version of each blog: an older or
 * repeated event is refused with a 409 version conflict, which counts as done. BlogDeleted indexes a
 * tombstone (no content, {@code deleted: true}) under the same rule, so a late older update cannot bring the
 * blog back.
 */
final class BulkBody {

  /** Above this many bytes a batch goes out as several bulks, in order; OpenSearch refuses bodies over 100 MB. */
  static final int MAX_BULK_BYTES = 32 * 1024 * 1024;

  private BulkBody() {
  }

  /** The NDJSON bodies for {@code events}, in order: one unless the batch is larger than {@link #MAX_BULK_BYTES}. */
  static List<Buffer> of(List<BlogEvent> events) {
    List<Buffer> bodies = new ArrayList<>();
    Buffer body = Buffer.buffer();
    for (BlogEvent event : events) {
      Buffer lines = Buffer.buffer()
          .appendString(action(event).encode()).appendByte((byte) '\n')
          .appendString(document(event).encode()).appendByte((byte) '\n');
      if (body.length() > 0 && body.length() + lines.length() > MAX_BULK_BYTES) {
        bodies.add(body);
        body = Buffer.buffer();
      }
      body.appendBuffer(lines);
    }
    if (body.length() > 0) {
      bodies.add(body);
    }
    return bodies;
  }

  static JsonObject action(BlogEvent event) {
    return new JsonObject().put("index", new JsonObject()
        .put("_id", event.blogId().toString())
        .put("version", event.version())
        .put("version_type", "external"));
  }

  static JsonObject document(BlogEvent event) {
    JsonObject doc = new JsonObject()
        .put("blogId", event.blogId().toString())
        .put("authorId", event.authorId())
        .put("version", event.version());
    if (event.type() == BlogEvent.Type.BlogDeleted) {
      return doc.put("deleted", true);
    }
    return doc.put("title", event.title())
        .put("body", event.body())
        .put("tags", new JsonArray(new ArrayList<>(event.tags())))
        .put("publishedAt", event.publishedAt() == null ? null : event.publishedAt().toString())
        .put("deleted", false);
  }

  /**
   * Error types by which OpenSearch says the index or the cluster cannot take writes now, whatever the
   * document: a write block ({@code index.blocks.write}, a read-only index or cluster, a flood-stage disk),
   * a closed index, shards not there.
   */
  private static final Set<String> UNAVAILABLE_TYPES = Set.of("cluster_block_exception", "index_closed_exception",
      "unavailable_shards_exception", "no_shard_available_action_exception");

  /**
   * True when a refusal with this status and error type says the index or cluster is unavailable (blocked,
   * closed, 503), not that the document is wrong. A 429 (too busy) stays an ordinary transient failure.
   */
  static boolean unavailable(int status, String errorType) {
    return status == 503 || (errorType != null && UNAVAILABLE_TYPES.contains(errorType));
  }

  /**
   * Checks the items {@code from} (inclusive) to {@code to} (exclusive) of a {@code _bulk} answer: the
   * events of one batch, which may share the bulk with other batches. An item missing from the answer
   * counts as a failure to retry.
   *
   * @return null when every item was written or refused as an older or equal version; otherwise the
   *         failure to report: a {@link SinkUnavailable} when some item was refused because the index or
   *         cluster cannot take writes now ({@link #unavailable}: retry, and let the breaker pause the group,
   *         for as long as it lasts); else a {@link PermanentFailure} when every failed item was refused for
   *         its data (a 4xx: retrying cannot help); else an {@link IllegalStateException} (retry)
   */
  static RuntimeException failures(JsonArray items, int from, int to) {
    int failed = 0;
    boolean transientFailure = false;
    boolean unavailable = false;
    String first = null;
    for (int i = from; i < to; i++) {
      JsonObject result = i < items.size() ? items.getJsonObject(i).getJsonObject("index", new JsonObject())
          : new JsonObject().put("status", 500).put("error", new JsonObject().put("type", "missing_from_answer"));
      int status = result.getInteger("status", 500);
      JsonObject error = result.getJsonObject("error");
      boolean written = status >= 200 && status < 300;
      boolean olderOrSame = status == 409 && error != null
          && "version_conflict_engine_exception".equals(error.getString("type"));
      if (!written && !olderOrSame) {
        failed++;
        boolean itemUnavailable = unavailable(status, error == null ? null : error.getString("type"));
        unavailable |= itemUnavailable;
        transientFailure |= itemUnavailable || status == 429 || status >= 500 || status < 400;
        if (first == null) {
          first = "blog " + result.getString("_id") + ": " + status + " "
              + (error == null ? "" : error.getString("type") + " " + error.getString("reason"));
        }
      }
    }
    if (failed == 0) {
      return null;
    }
    String message = failed + " of " + (to - from) + " documents failed, first: " + first;
    if (unavailable) {
      return new SinkUnavailable(message);
    }
    return transientFailure ? new IllegalStateException(message) : new PermanentFailure(message);
  }
}
