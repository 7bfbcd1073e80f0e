package dev.fanout.app;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The app as a separate JVM (this test run's classpath, {@link Main}), with its output appended to
 * {@code <dataDir>/app.log}: for tests that kill it, stop it with SIGTERM or run several.
 */
public final class AppProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** The admin token every process started here gets. */
  static final String ADMIN_TOKEN = "app-process-admin-token-0123456789";

  private final int port;
  private final Path dataDir;
  private final List<String> flags;
  private final String maxHeap;
  private final java.util.Map<String, String> env;
  private Process process;
  private final java.util.Map<String, String> authorTokens = new java.util.concurrent.ConcurrentHashMap<>();

  private AppProcess(int port, Path dataDir, List<String> flags, String maxHeap, java.util.Map<String, String> env) {
    this.maxHeap = maxHeap;
    this.env = env;
    this.port = port;
    this.dataDir = dataDir;
    this.flags = flags;
  }

  /** Starts the app on a free port with its data under {@code dataDir} and waits until it is ready. */
  public static AppProcess start(Path dataDir, String... flags) throws Exception {
    return startWithHeap(dataDir, "512m", flags);
  }

  /** As {@link #start}, with a maximum heap of {@code maxHeap} ({@code -Xmx}'s value, e.g. {@code 192m}). */
  public static AppProcess startWithHeap(Path dataDir, String maxHeap, String... flags) throws Exception {
    return startWithEnv(dataDir, maxHeap, java.util.Map.of(), flags);
  }

  /** As {@link #startWithHeap}, with {@code env} added to the process's environment. */
  public static AppProcess startWithEnv(Path dataDir, String maxHeap, java.util.Map<String, String> env,
                                        String... flags) throws Exception {
    AppProcess app = new AppProcess(freePort(), dataDir, List.of(flags), maxHeap, env);
    app.restart();
    return app;
  }

  /** Starts it again on the same port and data directory (after a kill or a stop) and waits until ready. */
  public void restart() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "--port", Integer.toString(port), "--data-dir", dataDir.toString(),
        "--admin-token", ADMIN_TOKEN));
    command.addAll(flags);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    process = builder.redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dataDir.toFile(), "app.log"))).start();
    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions().until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("the app exited: " + log());
          }
          return get("/health/ready").statusCode() == 200;
        });
  }

  public Process process() {
    return process;
  }

  public int port() {
    return port;
  }

  /** What the process printed, then its log file ({@code <data-dir>/logs/fanout.log}: info and above). */
  public String log() throws Exception {
    Path file = dataDir.resolve("logs").resolve("fanout.log");
    return Files.readString(dataDir.resolve("app.log")) + (Files.exists(file) ? Files.readString(file) : "");
  }

  /** {@code kill -9}. */
  public void kill() throws Exception {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  public HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public JsonObject getJson(String path) throws Exception {
    return new JsonObject(get(path).body());
  }

  /** {@code GET /api/audit} with the admin token. */
  public JsonObject audit() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/audit"))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("audit failed: " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** A request to the admin API with the admin token; {@code body} is JSON or null. */
  public HttpResponse<String> admin(String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * An author token for {@code authorId} from this app's admin API, minted once: the signing key lives in the
   * data directory, so the token stays good across restarts.
   */
  public String authorToken(String authorId) throws Exception {
    String token = authorTokens.get(authorId);
    if (token == null) {
      HttpResponse<String> minted = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/api/admin/authors/" + authorId + "/tokens"))
          .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(10))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (minted.statusCode() != 201) {
        throw new IllegalStateException("minting a token failed: " + minted.statusCode() + " " + minted.body());
      }
      token = new JsonObject(minted.body()).getString("token");
      authorTokens.put(authorId, token);
    }
    return token;
  }

  public HttpResponse<String> publish(String authorId, String title) throws Exception {
    return publish(authorId, title, "b");
  }

  public HttpResponse<String> publish(String authorId, String title, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/blogs"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + authorToken(authorId))
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("authorId", authorId).put("title", title)
            .put("body", body).encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Updates a blog; true when the app accepted it (200). */
  public boolean update(String blogId, String authorId, String title) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/blogs/" + blogId))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + authorToken(authorId))
        .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("authorId", authorId).put("title", title)
            .put("body", "b").encode())).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
  }

  /** The blogs among {@code blogIds} that this app does not serve (GET /api/blogs/{id} is not 200). */
  public List<String> missingBlogs(java.util.Collection<String> blogIds) throws Exception {
    List<String> missing = new ArrayList<>();
    for (String blogId : blogIds) {
      if (get("/api/blogs/" + blogId).statusCode() != 200) {
        missing.add(blogId);
      }
    }
    return missing;
  }

  /** A group as /api/groups shows it. */
  public JsonObject group(String group) throws Exception {
    return RunningApp.groupNamed(getJson("/api/groups"), group);
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** SIGTERM, then a kill if it is still there after a minute. */
  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
