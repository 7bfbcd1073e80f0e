package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The per-client publish limit and CORS, which is closed except for the origins named at start. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeProtectionTest {

  private static final int LIMIT = 5;

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "2", "--publish-rate-limit", Integer.toString(LIMIT),
        "--cors-origins", "https://allowed.example");


  @Test
  void anAuthorBeyondItsRateGets429WithRetryAfterAndNothingIsWritten() throws Exception {
    app.authorToken("limited");
    app.authorToken("unhindered");
    long before = app.queryLong("SELECT count(*) FROM blogs");
    List<HttpResponse<String>> answers = new ArrayList<>();
    // far more than the limit allows within one refresh period, sent back to back
    for (int i = 0; i < LIMIT * 4; i++) {
      answers.add(app.write("POST", "/api/blogs", "limited",
          new JsonObject().put("title", "t" + i).put("body", "b")));
    }
    // the limit is the author's, not the address's: another author from the same address is not held back
    HttpResponse<String> other = app.write("POST", "/api/blogs", "unhindered",
        new JsonObject().put("title", "other").put("body", "b"));
    assertThat(other.statusCode()).as(other.body()).isEqualTo(201);
    List<HttpResponse<String>> accepted = answers.stream().filter(r -> r.statusCode() == 201).toList();
    List<HttpResponse<String>> refused = answers.stream().filter(r -> r.statusCode() == 429).toList();
    assertThat(accepted.size() + refused.size()).isEqualTo(answers.size());
    assertThat(refused).isNotEmpty();
    HttpResponse<String> first = refused.get(0);
    assertThat(first.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(app.json(first).getString("error")).isEqualTo("rate_limited");
    assertThat(app.queryLong("SELECT count(*) FROM blogs")).isEqualTo(before + accepted.size() + 1);
    assertThat(app.get("/api/groups").statusCode()).as("reads are not limited").isEqualTo(200);
  }

  @Test
  void refusedTokensCountAgainstTheAddress() throws Exception {
    long before = app.queryLong("SELECT count(*) FROM blogs");
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < LIMIT * 4; i++) {
      statuses.add(app.send("POST", "/api/blogs", "application/json", "{\"title\": \"t\", \"body\": \"b\"}",
          "Authorization", "Bearer not.a.token" + i).statusCode());
    }
    assertThat(statuses).containsOnly(401, 429).contains(401, 429);
    assertThat(app.queryLong("SELECT count(*) FROM blogs")).isEqualTo(before);
  }

  @Test
  void onlyTheNamedOriginGetsCorsHeaders() throws Exception {
    HttpResponse<String> allowed = app.send("OPTIONS", "/api/blogs", null, null, "Origin", "https://allowed.example",
        "Access-Control-Request-Method", "POST");
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://allowed.example");

    HttpResponse<String> preflight = app.send("OPTIONS", "/api/blogs", null, null, "Origin", "https://evil.example",
        "Access-Control-Request-Method", "POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    HttpResponse<String> read = app.send("GET", "/api/groups", null, null, "Origin", "https://evil.example");
    assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }
}
