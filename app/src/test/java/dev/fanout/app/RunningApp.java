package dev.fanout.app;

import io.vertx.core.Future;
import dev.fanout.tracing.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Fanout app started in-process on a free port, with an HTTP client and SQL shortcuts for tests. Either
 * started by hand ({@link #start}) or, as a JUnit extension in a {@code PER_CLASS} test, once for the
 * class in a fresh data directory that is deleted after it ({@link #perClass}).
 */
public final class RunningApp implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

  // set once when the app is up, before any test uses it
  private Vertx vertx;
  private FanoutApp app;
  private final String[] flags;
  private Path dataDir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Map<String, String> authorTokens = new java.util.concurrent.ConcurrentHashMap<>();

  private RunningApp(Vertx vertx, FanoutApp app) {
    this.vertx = vertx;
    this.app = app;
    this.flags = new String[0];
  }

  private RunningApp(String[] flags) {
    this.flags = flags;
  }

  /**
   * For {@code @RegisterExtension final RunningApp app = RunningApp.perClass(flags...)} in a test class with
   * {@code @TestInstance(PER_CLASS)}: the app starts before the class's tests and stops after them.
   */
  public static RunningApp perClass(String... flags) {
    return new RunningApp(flags);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dataDir = Files.createTempDirectory("fanout-" + context.getRequiredTestClass().getSimpleName());
    RunningApp started = start(dataDir, flags);
    vertx = started.vertx;
    app = started.app;
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (app != null) {
        close();
      }
    } finally {
      deleteRecursively(dataDir);
    }
  }

  /** Starts the app with its data under {@code dataDir}, plus the given flags. */
  public static RunningApp start(Path dataDir, String... flags) throws Exception {
    return start(dataDir, Tracing.off(), flags);
  }

  /** Starts the app with {@code tracing} (on a Vert.x it makes), its data under {@code dataDir}, plus flags. */
  public static RunningApp start(Path dataDir, Tracing tracing, String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("--port", "0", "--data-dir", dataDir.toString()));
    args.addAll(List.of(flags));
    Vertx vertx = dev.fanout.compose.PartsFactory.vertx(tracing);
    try {
      FanoutApp app = await(FanoutApp.start(vertx, FanoutOptions.parse(args.toArray(String[]::new), Map.of()),
          tracing));
      return new RunningApp(vertx, app);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  /** The Vert.x instance the app runs on. */
  public Vertx vertx() {
    return vertx;
  }

  public FanoutApp app() {
    return app;
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /** Waits for the future as {@link #await} does and returns why it failed; null when it succeeded. */
  public static Throwable failure(Future<?> future) throws Exception {
    try {
      await(future);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }

  public HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public HttpResponse<String> send(String method, String path, String contentType, String body,
                                   String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request);
  }

  public HttpResponse<String> sendBytes(String method, String path, String contentType, byte[] body,
                                        String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
        .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request);
  }

  /** A request to the admin API with the app's admin token; {@code body} is JSON or null. */
  public HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return send(method, path, body == null ? null : "application/json", body,
        "Authorization", "Bearer " + app.adminToken());
  }

  /** {@code GET /api/audit} with the admin token; fails unless it answers 200. */
  public JsonObject audit() throws Exception {
    HttpResponse<String> response = admin("GET", "/api/audit", null);
    if (response.statusCode() != 200) {
      throw new IllegalStateException("audit failed: " + response.statusCode() + " " + response.body());
    }
    return json(response);
  }

  /**
   * An author token for {@code authorId}, minted through the admin API once and kept for the rest of the
   * app's life.
   */
  public String authorToken(String authorId) throws Exception {
    String token = authorTokens.get(authorId);
    if (token == null) {
      HttpResponse<String> minted = admin("POST", "/api/admin/authors/" + authorId + "/tokens", null);
      if (minted.statusCode() != 201) {
        throw new IllegalStateException("minting a token failed: " + minted.statusCode() + " " + minted.body());
      }
      token = json(minted).getString("token");
      authorTokens.put(authorId, token);
    }
    return token;
  }

  /**
   * The author a request body names, when it is a JSON object with a valid {@code authorId}; {@code otherwise}
   * for anything else (for tests that send any body and still want valid ones accepted).
   */
  public static String authorNamedIn(String body, String otherwise) {
    try {
      Object author = new JsonObject(body).getValue("authorId");
      if (author instanceof String id && dev.fanout.core.AuthorId.isValid(id)) {
        return id;
      }
    } catch (RuntimeException e) {
      // not one JSON object
    }
    return otherwise;
  }

  /** A write to the blog API as {@code authorId}, with its token; {@code body} is JSON or null. */
  public HttpResponse<String> write(String method, String path, String authorId, JsonObject body) throws Exception {
    return send(method, path, body == null ? null : "application/json", body == null ? null : body.encode(),
        "Authorization", "Bearer " + authorToken(authorId));
  }

  /** Publishes a blog and returns its id; fails unless the publish is acknowledged. */
  public String publish(String authorId, String title) throws Exception {
    HttpResponse<String> response = write("POST", "/api/blogs", authorId, new JsonObject()
        .put("authorId", authorId).put("title", title).put("body", "a body for " + title));
    if (response.statusCode() != 201) {
      throw new IllegalStateException("publish failed: " + response.statusCode() + " " + response.body());
    }
    return json(response).getString("blogId");
  }

  /** This process's figures of a group, as /api/groups shows them. */
  public JsonObject figures(String group) throws Exception {
    return group(group).getJsonObject("figures");
  }

  /** The summed end offsets of a topic's partitions: how many records it ever took. */
  public long endOffset(String topic) throws Exception {
    return await(app.stream().admin().listTopics()).stream().filter(t -> t.name().equals(topic))
        .flatMap(t -> t.partitions().stream()).mapToLong(p -> p.endOffset()).sum();
  }

  /** A group as /api/groups shows it. */
  public JsonObject group(String group) throws Exception {
    return groupNamed(json(get("/api/groups")), group);
  }

  /** One group of a /api/groups answer. */
  static JsonObject groupNamed(JsonObject groups, String group) {
    for (Object g : groups.getJsonArray("groups")) {
      if (((JsonObject) g).getString("group").equals(group)) {
        return (JsonObject) g;
      }
    }
    throw new IllegalStateException("no group " + group);
  }

  public JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.port() + path);
  }

  /** The first column of the first row of a query, as a long. */
  public long queryLong(String sql, Object... params) throws Exception {
    Row row = await(app.database().pool().preparedQuery(sql).execute(Tuple.from(params))).iterator().next();
    return row.getLong(0);
  }

  /** Rows of a two-column query (text, bigint) as a map. */
  public Map<String, Long> queryMap(String sql) throws Exception {
    Map<String, Long> result = new java.util.TreeMap<>();
    for (Row row : await(app.database().pool().query(sql).execute())) {
      result.put(row.getString(0), row.getLong(1));
    }
    return result;
  }

  /** Deletes a test's data directory; what cannot be deleted is left for the OS to clean. */
  public static void deleteRecursively(Path dir) throws java.io.IOException {
    if (dir == null || !java.nio.file.Files.exists(dir)) {
      return;
    }
    try (var paths = java.nio.file.Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Override
  public void close() throws Exception {
    try {
      await(app.stop());
    } finally {
      await(vertx.close());
    }
  }
}
