package dev.fanout.search.opensearch;

import dev.fanout.consumer.SinkUnavailable;
import dev.fanout.events.BlogEvent;
import dev.fanout.search.RefreshPacing;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchQuery;
import dev.fanout.search.SearchResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SearchEngine} over OpenSearch's REST API (tested against 2.19), one index of blogs.
 *
 * <p>Ordering and idempotency are OpenSearch's own: each blog is one document whose external version is the
 * blog's version (see {@link BulkBody}). {@link #apply}'s batches go out in {@code _bulk} requests, at most
 * one in flight: batches that arrive meanwhile (from other partitions) wait and go together in the next one,
 * so OpenSearch sees a few larger bulks instead of one per partition batch. Each batch gets the verdict on
 * its own items only, and succeeds once OpenSearch has acknowledged every one of them (its translog is
 * fsynced per request by default), so the consumer may commit its offsets after it. Visibility does not wait for the index's 1 s refresh interval:
 * after each acknowledged bulk the engine asks for a refresh, without waiting for it. At most one refresh
 * request is in flight, and one starts at least {@code refreshMillis} after the previous one started; bulks
 * acknowledged meanwhile share the next one, so refreshes never pile up however many batches arrive (each
 * refresh writes a segment that OpenSearch merges later). A failed refresh request is only logged: the
 * refresh interval still makes the change visible within a second.
 *
 * <p>Threading: nothing blocks. Requests go through one {@link WebClient}; futures complete on the caller's
 * Vert.x context. Encoding a bulk and decoding its answer run on the thread that sends it.
 * Besides the client, the engine's only mutable state is the bulk queue and the refresh coalescing below,
 * guarded by its monitor, so it may be shared by several verticles.
 */
public final class OpenSearchEngine implements SearchEngine {

  private static final Pattern INDEX_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,200}");
  private static final long BULK_TIMEOUT_MS = 60_000;
  private static final long REQUEST_TIMEOUT_MS = 30_000;
  /** Documents per page when {@link #list} walks the index. */
  private static final int LIST_PAGE = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(OpenSearchEngine.class);

  private final Vertx vertx;
  private final WebClient client;
  private final String baseUrl;
  private final String index;
  // guarded by this: batches waiting for the next bulk; a bulk is in flight
  private final List<Queued> queued = new ArrayList<>();
  private boolean bulkInFlight;
  // guarded by this: a refresh request is in flight (or waiting for its turn); another was asked for while
  // it was; when the last one started
  private boolean refreshing;
  private boolean refreshAgain;
  private final RefreshPacing refreshPacing;

  /**
   * @param baseUrl   OpenSearch's HTTP address, e.g. {@code http://127.0.0.1:9200}
   * @param indexName the index to use; created by {@link #start} when missing
   * @param refreshMillis the least time between the starts of two refresh requests; 0: right after the last
   * @throws IllegalArgumentException when the address is not an http(s) URL, the name is not a valid index or
   *                                  {@code refreshMillis} is negative
   */
  public OpenSearchEngine(Vertx vertx, String baseUrl, String indexName, int refreshMillis) {
    URI uri;
    try {
      uri = URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("OpenSearch URL is not a URL: '" + baseUrl + "'", e);
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("OpenSearch URL must look like http://host:port, was '" + baseUrl + "'");
    }
    if (indexName == null || !INDEX_NAME.matcher(indexName).matches()) {
      throw new IllegalArgumentException("OpenSearch index name must be lowercase letters, digits, '.', '_' "
          + "or '-', was '" + indexName + "'");
    }
    this.vertx = vertx;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.index = indexName;
    this.refreshPacing = new RefreshPacing(refreshMillis);
    this.client = WebClient.create(vertx,
        new WebClientOptions().setConnectTimeout(5_000).setUserAgent("fanout"),
        new PoolOptions().setHttp1MaxSize(16));
  }

  @Override
  public String name() {
    return "opensearch";
  }

  /** Creates the index with {@link #indexDefinition()} unless it exists; an existing index is used as it is. */
  @Override
  public Future<Void> start() {
    return request(HttpMethod.PUT, "/" + index, REQUEST_TIMEOUT_MS)
        .sendJsonObject(indexDefinition())
        .compose(response -> {
          if (response.statusCode() == 200
              || "resource_already_exists_exception".equals(errorType(response))) {
            return Future.succeededFuture();
          }
          return Future.failedFuture(failure("creating index " + index, response));
        });
  }

  /** Settings and mapping of a new index. */
  static JsonObject indexDefinition() {
    JsonObject text = new JsonObject().put("type", "text");
    JsonObject keyword = new JsonObject().put("type", "keyword");
    return new JsonObject()
        .put("settings", new JsonObject().put("index", new JsonObject()
            // explicit, so that an idle shard still refreshes every second (no "search idle" pause)
            .put("refresh_interval", "1s")
            // the deepest page SearchQuery allows
            .put("max_result_window", SearchQuery.MAX_OFFSET + SearchQuery.MAX_LIMIT)))
        .put("mappings", new JsonObject()
            .put("dynamic", "strict")
            .put("properties", new JsonObject()
                .put("blogId", keyword.copy())
                .put("authorId", keyword.copy())
                .put("title", text.copy())
                .put("body", text.copy())
                .put("tags", keyword.copy().put("fields", new JsonObject().put("text", text.copy())))
                .put("publishedAt", new JsonObject().put("type", "date"))
                .put("version", new JsonObject().put("type", "integer"))
                .put("deleted", new JsonObject().put("type", "boolean"))));
  }

  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    Queued batch = new Queued(events, vertx.getOrCreateContext(), Promise.promise());
    boolean send;
    synchronized (this) {
      queued.add(batch);
      send = !bulkInFlight;
      bulkInFlight = true;
    }
    if (send) {
      sendQueued();
    }
    return batch.done().future();
  }

  /** A batch waiting for a bulk, and the context its caller is completed on. */
  private record Queued(List<BlogEvent> events, Context caller, Promise<Void> done) {
  }

  // Sends every queued batch as one bulk, tells each batch its own items' verdict, then sends what queued
  // up meanwhile; stops when nothing did.
  private void sendQueued() {
    List<Queued> round;
    synchronized (this) {
      if (queued.isEmpty()) {
        bulkInFlight = false;
        return;
      }
      round = new ArrayList<>(queued);
      queued.clear();
    }
    List<BlogEvent> events = new ArrayList<>();
    for (Queued batch : round) {
      events.addAll(batch.events());
    }
    JsonArray items = new JsonArray();
    sendBulks(BulkBody.of(events), 0, items).onComplete(sent -> {
      if (sent.succeeded()) {
        refreshSoon();
      }
      int from = 0;
      for (Queued batch : round) {
        int to = from + batch.events().size();
        Throwable cause = sent.failed() ? sent.cause() : BulkBody.failures(items, from, to);
        batch.caller().runOnContext(v -> {
          if (cause == null) {
            batch.done().complete();
          } else {
            batch.done().fail(cause);
          }
        });
        from = to;
      }
      sendQueued();
    });
  }

  // Sends the bodies one after the other, collecting the answers' items in order.
  private Future<Void> sendBulks(List<Buffer> bodies, int next, JsonArray items) {
    if (next == bodies.size()) {
      return Future.succeededFuture();
    }
    return request(HttpMethod.POST, "/" + index + "/_bulk", BULK_TIMEOUT_MS)
        .putHeader("content-type", "application/x-ndjson")
        .sendBuffer(bodies.get(next))
        .compose(response -> {
          if (response.statusCode() != 200) {
            if (!BulkBody.unavailable(response.statusCode(), errorType(response))) {
              return Future.failedFuture(failure("bulk", response));
            }
            // the whole answer (and where it came from) goes to the log; what travels on, into public answers
            // such as a trace's lastError, names neither the server nor its words
            LOG.warn("{}", failure("bulk", response).getMessage());
            return Future.failedFuture(new SinkUnavailable("OpenSearch answered " + response.statusCode()
                + (errorType(response) == null ? "" : " " + errorType(response)) + " to a bulk"));
          }
          items.addAll(response.bodyAsJsonObject().getJsonArray("items", new JsonArray()));
          return sendBulks(bodies, next + 1, items);
        });
  }

  // Asks OpenSearch to refresh once the pacing allows, or right after the refresh in flight; never more than
  // one in flight or waiting.
  private void refreshSoon() {
    long waitMillis;
    synchronized (this) {
      if (refreshing) {
        refreshAgain = true;
        return;
      }
      refreshing = true;
      waitMillis = TimeUnit.NANOSECONDS.toMillis(refreshPacing.waitNanos());
    }
    if (waitMillis > 0) {
      vertx.setTimer(waitMillis, id -> sendRefresh());
    } else {
      sendRefresh();
    }
  }

  private void sendRefresh() {
    synchronized (this) {
      refreshPacing.started();
      // bulks acknowledged while this refresh waited for its turn are covered by it
      refreshAgain = false;
    }
    request(HttpMethod.POST, "/" + index + "/_refresh", REQUEST_TIMEOUT_MS).send().onComplete(ar -> {
      if (ar.failed() || ar.result().statusCode() != 200) {
        LOG.debug("refresh of {} failed, the refresh interval will do: {}", index,
            ar.failed() ? ar.cause().toString() : Integer.toString(ar.result().statusCode()));
      }
      boolean again;
      synchronized (this) {
        refreshing = false;
        again = refreshAgain;
        refreshAgain = false;
      }
      if (again) {
        refreshSoon();
      }
    });
  }

  /**
   * Runs the query. A query OpenSearch cannot run (it answers 400, e.g. a syntax error its
   * {@code query_string} parser finds) fails with {@link SearchQuery#invalidQuery}.
   */
  @Override
  public Future<SearchResult> search(SearchQuery query) {
    return request(HttpMethod.POST, "/" + index + "/_search", REQUEST_TIMEOUT_MS)
        .sendJsonObject(SearchBody.of(query))
        .compose(response -> {
          if (response.statusCode() == 200) {
            return Future.succeededFuture(SearchBody.result(response.bodyAsJsonObject()));
          }
          // the rest of the request is ours and fixed: a 400 can only come from the user's text
          if (response.statusCode() == 400 && !query.text().isEmpty()) {
            return Future.failedFuture(SearchQuery.invalidQuery(
                "q is not a valid query: " + reason(response)));
          }
          return Future.failedFuture(failure("search", response));
        });
  }

  /** Succeeds when OpenSearch answers and the index is not red (every primary shard is allocated). */
  @Override
  public Future<Void> ping() {
    return request(HttpMethod.GET, "/_cluster/health/" + index + "?timeout=5s", REQUEST_TIMEOUT_MS)
        .send()
        .compose(response -> {
          String status = response.statusCode() == 200 ? json(response).getString("status") : null;
          if ("green".equals(status) || "yellow".equals(status)) {
            return Future.succeededFuture();
          }
          return Future.failedFuture(failure("health of " + index, response));
        });
  }

  /**
   * Refreshes the index, then walks it in blog id order. Reflects every {@link #apply} that succeeded
   * before the call.
   */
  @Override
  public Future<List<IndexedBlog>> list(int limit) {
    if (limit <= 0) {
      return Future.succeededFuture(List.of());
    }
    return request(HttpMethod.POST, "/" + index + "/_refresh", REQUEST_TIMEOUT_MS).send()
        .compose(response -> response.statusCode() == 200
            ? listPage(new ArrayList<>(), null, limit)
            : Future.failedFuture(failure("refresh", response)));
  }

  private Future<List<IndexedBlog>> listPage(List<IndexedBlog> found, String after, int limit) {
    JsonObject body = new JsonObject()
        .put("size", Math.min(LIST_PAGE, limit - found.size()))
        .put("track_total_hits", false)
        .put("_source", new JsonArray().add("blogId").add("authorId").add("version").add("deleted"))
        .put("sort", new JsonArray().add(new JsonObject().put("blogId", "asc")));
    if (after != null) {
      body.put("search_after", new JsonArray().add(after));
    }
    return request(HttpMethod.POST, "/" + index + "/_search", REQUEST_TIMEOUT_MS)
        .sendJsonObject(body)
        .compose(response -> {
          if (response.statusCode() != 200) {
            return Future.failedFuture(failure("list", response));
          }
          JsonArray hits = json(response).getJsonObject("hits", new JsonObject()).getJsonArray("hits", new JsonArray());
          for (int i = 0; i < hits.size(); i++) {
            JsonObject source = hits.getJsonObject(i).getJsonObject("_source", new JsonObject());
            found.add(new IndexedBlog(source.getString("blogId"), source.getString("authorId"),
                source.getInteger("version", 0), source.getBoolean("deleted", false)));
          }
          if (hits.isEmpty() || found.size() >= limit) {
            return Future.succeededFuture(List.copyOf(found));
          }
          return listPage(found, found.get(found.size() - 1).blogId(), limit);
        });
  }

  /** Closes the HTTP client; requests still in flight fail. The index is left as it is. */
  /**
   * Deletes this engine's index and every document in it; an index that is not there counts as deleted. For
   * throwaway indexes (the lab's runs), never for the app's own.
   */
  public Future<Void> deleteIndex() {
    return request(HttpMethod.DELETE, "/" + index, REQUEST_TIMEOUT_MS).send().compose(response -> {
      if (response.statusCode() == 200 || response.statusCode() == 404) {
        return Future.succeededFuture();
      }
      return Future.failedFuture(failure("deleting index " + index, response));
    });
  }

  /** The names of the server's indexes that match {@code pattern} (e.g. {@code fanout-lab-*}); any index's name. */
  public Future<List<String>> indexesNamed(String pattern) {
    return request(HttpMethod.GET, "/_cat/indices/" + pattern + "?format=json&h=index", REQUEST_TIMEOUT_MS).send()
        .compose(response -> {
          if (response.statusCode() == 404) {
            return Future.succeededFuture(List.<String>of());
          }
          if (response.statusCode() != 200) {
            return Future.failedFuture(failure("listing indexes " + pattern, response));
          }
          List<String> names = new ArrayList<>();
          JsonArray rows = response.bodyAsJsonArray();
          for (int i = 0; rows != null && i < rows.size(); i++) {
            names.add(rows.getJsonObject(i).getString("index"));
          }
          return Future.succeededFuture(names);
        });
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }

  private HttpRequest<Buffer> request(HttpMethod method, String path, long timeoutMs) {
    return client.requestAbs(method, baseUrl + path).timeout(timeoutMs);
  }

  private static JsonObject json(HttpResponse<Buffer> response) {
    try {
      JsonObject json = response.bodyAsJsonObject();
      return json == null ? new JsonObject() : json;
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject();
    }
  }

  private static String errorType(HttpResponse<Buffer> response) {
    Object error = json(response).getValue("error");
    return error instanceof JsonObject object ? object.getString("type") : null;
  }

  /** OpenSearch's own words for a failure: the first root cause, else the error, else the raw body. */
  private static String reason(HttpResponse<Buffer> response) {
    Object error = json(response).getValue("error");
    if (error instanceof JsonObject object) {
      JsonArray causes = object.getJsonArray("root_cause", new JsonArray());
      JsonObject cause = causes.isEmpty() ? object : causes.getJsonObject(0);
      String reason = cause.getString("reason", object.getString("reason"));
      if (reason != null) {
        return reason;
      }
    }
    String body = response.bodyAsString();
    return body == null ? "(no body)" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
  }

  private IllegalStateException failure(String what, HttpResponse<Buffer> response) {
    return new IllegalStateException("OpenSearch at " + baseUrl + " answered " + response.statusCode() + " to "
        + what + ": " + reason(response));
  }
}
