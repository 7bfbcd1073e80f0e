package dev.fanout.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.fanout.app.Logs;
import dev.fanout.app.RunningApp;
import dev.fanout.search.opensearch.OpenSearchServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * An OpenSearch whose URL carries credentials ({@code http://fanout:secret@...}) goes down: the search group
 * fails, readiness fails. The public answers (the event's trace, {@code /health/ready}, the dashboard,
 * {@code /api/info}) say what is wrong with a code and a short text, without exception classes or URLs; the
 * log has the full story, and the password appears in none of them. The outage is a real server in front of
 * a real OpenSearch, answering 503 as a load balancer does when the cluster behind it is gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InternalsStayInTheLogTest {

  private static final String PASSWORD = "secret";

  private final Vertx vertx = Vertx.vertx();
  private final AtomicBoolean up = new AtomicBoolean(true);
  private OpenSearchServer opensearch;
  private HttpServer front;
  private Path dataDir;
  private Path logFile;
  private RunningApp app;

  @BeforeAll
  void start() throws Exception {
    opensearch = OpenSearchServer.start();
    URI behind = URI.create(opensearch.baseUrl());
    HttpClient client = vertx.createHttpClient();
    front = RunningApp.await(vertx.createHttpServer().requestHandler(request -> {
      if (!up.get()) {
        request.response().setStatusCode(503).putHeader("content-type", "application/json")
            .end("{\"error\": \"no healthy upstream\", \"status\": 503}");
        return;
      }
      forward(client, behind, request);
    }).listen(0, "127.0.0.1"));
    dataDir = Files.createTempDirectory("fanout-internals");
    logFile = Logs.configure(dataDir, "info");
    app = RunningApp.start(dataDir, "--partitions", "2", "--search", "opensearch",
        "--opensearch-url", "http://fanout:" + PASSWORD + "@127.0.0.1:" + front.actualPort(),
        "--retry-backoff-ms", "50", "--breaker-wait-ms", "1000");
  }

  private static void forward(HttpClient client, URI behind, HttpServerRequest request) {
    String contentType = request.getHeader("content-type");
    request.body().compose(body -> client.request(request.method(), behind.getPort(), behind.getHost(), request.uri())
            .compose(out -> {
              if (contentType != null) {
                out.putHeader("content-type", contentType);
              }
              return out.send(body);
            })
            .compose(in -> in.body().map(answer -> {
              request.response().setStatusCode(in.statusCode());
              if (in.getHeader("content-type") != null) {
                request.response().putHeader("content-type", in.getHeader("content-type"));
              }
              return request.response().end(answer);
            })))
        .onFailure(e -> request.response().setStatusCode(502).end());
  }

  @AfterAll
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    if (front != null) {
      RunningApp.await(front.close());
    }
    RunningApp.await(vertx.close());
    if (opensearch != null) {
      opensearch.close();
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
    RunningApp.deleteRecursively(dataDir);
  }

  @Test
  void anOutageIsToldWithACodeAndTheCredentialsAppearNowhere() throws Exception {
    up.set(false);
    HttpResponse<String> published = app.write("POST", "/api/blogs", "ada",
        new JsonObject().put("authorId", "ada").put("title", "during the outage").put("body", "b"));
    assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
    String eventId = app.json(published).getString("eventId");

    AtomicReference<JsonObject> search = new AtomicReference<>();
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
      JsonObject trace = app.json(app.get("/api/events/" + eventId));
      for (Object group : trace.getJsonArray("groups")) {
        if (((JsonObject) group).getString("group").equals("search")) {
          search.set((JsonObject) group);
        }
      }
      return search.get() != null && search.get().getString("lastError") != null;
    });
    HttpResponse<String> ready = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> app.get("/health/ready"), answer -> answer.statusCode() == 503);

    String lastError = search.get().getString("lastError");
    String reason = app.json(ready).getString("reason");
    for (String told : List.of(lastError, reason)) {
      assertThat(told).as("a public error text").matches("[a-z_]+: .+")
          .doesNotContain("Exception").doesNotContain("http://").doesNotContain("127.0.0.1");
    }
    assertThat(reason).startsWith("search_unavailable: ");

    List<String> answers = List.of(app.get("/api/events/" + eventId).body(), ready.body(),
        app.get("/api/dashboard").body(), app.get("/api/info").body(), app.get("/api/groups").body());
    for (String answer : answers) {
      assertThat(answer).as("a public answer").doesNotContain(PASSWORD);
    }

    // the log tells where it went wrong (the address, without its credentials)
    String where = "127.0.0.1:" + front.actualPort();
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> Files.readString(logFile).contains(where));
    assertThat(Files.readString(logFile)).as("the log").contains("503").doesNotContain(PASSWORD);
  }
}
