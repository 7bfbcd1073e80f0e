package dev.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Authors own their blogs, on the embedded default: every rule of author tokens through the HTTP API, each
 * refusal with its status and JSON body, and nothing written by a refused request. Forged tokens are signed
 * here with vertx-auth-jwt: with the app's own key (read from its key file) where only a claim is wrong,
 * with another key where the signature is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorTokensApiTest {

  private Path dataDir;
  private RunningApp app;
  private final Vertx vertx = Vertx.vertx();
  private JWTAuth sameKey;
  private JWTAuth otherKey;

  @BeforeAll
  void start() throws Exception {
    dataDir = Files.createTempDirectory("fanout-author-tokens");
    app = RunningApp.start(dataDir, "--partitions", "2");
    String key = Files.readString(keyFile()).trim();
    sameKey = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(key)));
    otherKey = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("x".repeat(43))));
  }

  @AfterAll
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    RunningApp.await(vertx.close());
    RunningApp.deleteRecursively(dataDir);
  }

  private Path keyFile() {
    return dataDir.resolve("auth").resolve("author-signing.key");
  }

  private static JsonObject draft(String title) {
    return new JsonObject().put("title", title).put("body", "text");
  }

  private long rows(String table) throws Exception {
    return app.queryLong("SELECT count(*) FROM " + table);
  }

  private HttpResponse<String> writeWith(String method, String path, String authorization, JsonObject body)
      throws Exception {
    return authorization == null
        ? app.send(method, path, body == null ? null : "application/json", body == null ? null : body.encode())
        : app.send(method, path, body == null ? null : "application/json", body == null ? null : body.encode(),
            "Authorization", authorization);
  }

  private static void assertUnauthenticated(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("error")).isEqualTo("unauthenticated");
    assertThat(body.getString("message")).isNotBlank();
  }

  private String signed(JWTAuth key, JsonObject claims) {
    return key.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
  }

  private JsonObject claims(String author) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject().put("sub", author).put("iat", now).put("exp", now + 600).put("iss", "fanout")
        .put("aud", "fanout");
  }

  @Test
  void aMintedTokenPublishesAsItsAuthorWithoutNamingIt() throws Exception {
    HttpResponse<String> minted = app.admin("POST", "/api/admin/authors/ada/tokens", "{\"ttlSeconds\": 600}");
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    assertThat(minted.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonObject token = app.json(minted);
    assertThat(token.fieldNames()).containsExactlyInAnyOrder("authorId", "token", "expiresAt");
    assertThat(token.getString("authorId")).isEqualTo("ada");
    Instant expiresAt = Instant.parse(token.getString("expiresAt"));
    assertThat(expiresAt).isBetween(Instant.now().plusSeconds(590), Instant.now().plusSeconds(601));

    HttpResponse<String> created = writeWith("POST", "/api/blogs", "Bearer " + token.getString("token"),
        draft("no author named"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject blog = app.json(app.get("/api/blogs/" + app.json(created).getString("blogId")));
    assertThat(blog.getString("authorId")).isEqualTo("ada");

    // naming oneself is fine too
    assertThat(writeWith("POST", "/api/blogs", "Bearer " + token.getString("token"),
        draft("named").put("authorId", "ada")).statusCode()).isEqualTo(201);
  }

  @Test
  void theDefaultLifetimeIsADayAndBadMintRequestsAreRefused() throws Exception {
    HttpResponse<String> minted = app.admin("POST", "/api/admin/authors/grace/tokens", null);
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    assertThat(Instant.parse(app.json(minted).getString("expiresAt")))
        .isBetween(Instant.now().plusSeconds(86_390), Instant.now().plusSeconds(86_401));

    for (String ttl : List.of("0", "-5", "1.5", "\"60\"", "31536001")) {
      HttpResponse<String> bad = app.admin("POST", "/api/admin/authors/grace/tokens", "{\"ttlSeconds\": " + ttl + "}");
      assertThat(bad.statusCode()).as(ttl).isEqualTo(400);
      assertThat(app.json(bad).getString("field")).isEqualTo("ttlSeconds");
    }
    HttpResponse<String> badAuthor = app.admin("POST", "/api/admin/authors/not%20an%20id/tokens", null);
    assertThat(badAuthor.statusCode()).isEqualTo(400);
    assertThat(app.json(badAuthor).getString("field")).isEqualTo("authorId");

    HttpResponse<String> noAdmin = app.send("POST", "/api/admin/authors/grace/tokens", null, null);
    assertThat(noAdmin.statusCode()).isEqualTo(401);
  }

  @Test
  void everyBadTokenIs401AndWritesNothing() throws Exception {
    String blogId = app.publish("owner", "a blog to aim at");
    long blogs = rows("blogs");
    long outbox = rows("outbox");
    long now = Instant.now().getEpochSecond();
    String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
    String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(claims("owner").encode().getBytes());
    List<String> refused = List.of(
        "Bearer " + "not-a-jwt",
        "Bearer a.b.c",
        "Bearer " + app.authorToken("owner") + "x",
        "Bearer",
        "Basic " + app.authorToken("owner"),
        // alg none, unsigned
        "Bearer " + header + "." + payload + ".",
        // badly signed
        "Bearer " + signed(otherKey, claims("owner")),
        // expired, wrong issuer, wrong audience, no subject, a subject that is no author id: all with the app's key
        "Bearer " + signed(sameKey, claims("owner").put("exp", now - 60).put("iat", now - 120)),
        "Bearer " + signed(sameKey, claims("owner").put("iss", "someone-else")),
        "Bearer " + signed(sameKey, claims("owner").put("aud", "another-api")),
        "Bearer " + signed(sameKey, claims("owner").put("iss", (String) null).put("aud", (String) null)),
        "Bearer " + signed(sameKey, claims("owner").put("sub", (String) null)),
        "Bearer " + signed(sameKey, claims("a b; DROP")),
        // the admin token is not an author token
        "Bearer " + app.app().adminToken());
    for (String authorization : refused) {
      assertUnauthenticated(writeWith("POST", "/api/blogs", authorization, draft("refused").put("authorId", "owner")));
      assertUnauthenticated(writeWith("PUT", "/api/blogs/" + blogId, authorization, draft("refused")));
      assertUnauthenticated(writeWith("DELETE", "/api/blogs/" + blogId, authorization, null));
    }
    HttpResponse<String> none = writeWith("POST", "/api/blogs", null, draft("no token").put("authorId", "owner"));
    assertUnauthenticated(none);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"fanout\"");
    assertUnauthenticated(writeWith("DELETE", "/api/blogs/" + blogId, null, null));

    assertThat(rows("blogs")).isEqualTo(blogs);
    assertThat(rows("outbox")).isEqualTo(outbox);
    assertThat(app.json(app.get("/api/blogs/" + blogId)).getInteger("version")).isEqualTo(1);

    // the same claims, correctly signed with the app's key, are accepted: the refusals above were for what differed
    assertThat(writeWith("POST", "/api/blogs", "Bearer " + signed(sameKey, claims("owner")), draft("good"))
        .statusCode()).isEqualTo(201);
  }

  @Test
  void idempotencyKeysAreEachAuthorsOwn() throws Exception {
    String key = "post-1";
    HttpResponse<String> ada = app.send("POST", "/api/blogs", "application/json", draft("same key").encode(),
        "Authorization", "Bearer " + app.authorToken("ada"), "Idempotency-Key", key);
    HttpResponse<String> bob = app.send("POST", "/api/blogs", "application/json", draft("same key").encode(),
        "Authorization", "Bearer " + app.authorToken("bob"), "Idempotency-Key", key);
    assertThat(ada.statusCode()).as(ada.body()).isEqualTo(201);
    assertThat(bob.statusCode()).as(bob.body()).isEqualTo(201);
    assertThat(bob.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(app.json(bob).getString("blogId")).isNotEqualTo(app.json(ada).getString("blogId"));
    HttpResponse<String> adaAgain = app.send("POST", "/api/blogs", "application/json", draft("same key").encode(),
        "Authorization", "Bearer " + app.authorToken("ada"), "Idempotency-Key", key);
    assertThat(app.json(adaAgain)).isEqualTo(app.json(ada));
  }

  @Test
  void aTokenAcceptedBeforeIsRefusedOnceItExpires() throws Exception {
    HttpResponse<String> minted = app.admin("POST", "/api/admin/authors/brief/tokens", "{\"ttlSeconds\": 5}");
    String token = "Bearer " + app.json(minted).getString("token");
    // accepted, then remembered as accepted: the second use is not checked again, but expiry still counts
    assertThat(writeWith("POST", "/api/blogs", token, draft("first")).statusCode()).isEqualTo(201);
    assertThat(writeWith("POST", "/api/blogs", token, draft("second")).statusCode()).isIn(201, 401);
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> writeWith("POST", "/api/blogs", token, draft("late")).statusCode() == 401);
    long blogs = rows("blogs");
    assertUnauthenticated(writeWith("POST", "/api/blogs", token, draft("after expiry")));
    assertThat(rows("blogs")).isEqualTo(blogs);
    assertThat(Instant.now()).isAfterOrEqualTo(Instant.parse(app.json(minted).getString("expiresAt")));
  }

  @Test
  void anAuthorTokenIsNotAnAdminToken() throws Exception {
    HttpResponse<String> response = app.send("GET", "/api/admin/faults", null, null,
        "Authorization", "Bearer " + app.authorToken("ada"));
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(app.json(response).getString("error")).isEqualTo("unauthorized");
  }

  @Test
  void onlyTheAuthorChangesOrDeletesABlog() throws Exception {
    String blogId = app.publish("alice", "alice's own");
    long outbox = rows("outbox");

    HttpResponse<String> otherPublishes = app.write("POST", "/api/blogs", "mallory",
        draft("as alice").put("authorId", "alice"));
    assertThat(otherPublishes.statusCode()).isEqualTo(403);
    assertThat(app.json(otherPublishes).getString("error")).isEqualTo("not_owner");
    assertThat(app.json(otherPublishes).getString("field")).isEqualTo("authorId");

    HttpResponse<String> otherUpdates = app.write("PUT", "/api/blogs/" + blogId, "mallory", draft("taken over"));
    assertThat(otherUpdates.statusCode()).isEqualTo(403);
    assertThat(app.json(otherUpdates).getString("error")).isEqualTo("not_owner");
    HttpResponse<String> claimsToBeAlice = app.write("PUT", "/api/blogs/" + blogId, "mallory",
        draft("taken over").put("authorId", "alice"));
    assertThat(claimsToBeAlice.statusCode()).isEqualTo(403);
    assertThat(app.json(claimsToBeAlice).getString("error")).isEqualTo("not_owner");
    HttpResponse<String> otherDeletes = app.write("DELETE", "/api/blogs/" + blogId, "mallory", null);
    assertThat(otherDeletes.statusCode()).isEqualTo(403);
    assertThat(app.json(otherDeletes).getString("error")).isEqualTo("not_owner");
    assertThat(app.json(otherDeletes).getString("message")).isNotBlank();

    assertThat(rows("outbox")).isEqualTo(outbox);
    JsonObject unchanged = app.json(app.get("/api/blogs/" + blogId));
    assertThat(unchanged.getString("title")).isEqualTo("alice's own");
    assertThat(unchanged.getInteger("version")).isEqualTo(1);

    String unknown = "/api/blogs/" + UUID.randomUUID();
    assertThat(app.write("PUT", unknown, "mallory", draft("x")).statusCode()).isEqualTo(404);
    assertThat(app.write("DELETE", unknown, "mallory", null).statusCode()).isEqualTo(404);

    assertThat(app.write("PUT", "/api/blogs/" + blogId, "alice", draft("edited")).statusCode()).isEqualTo(200);
    assertThat(app.write("DELETE", "/api/blogs/" + blogId, "alice", null).statusCode()).isEqualTo(200);
    assertThat(rows("outbox")).isEqualTo(outbox + 2);
  }

  @Test
  void theSigningKeyIsKeptPrivateAndOutlivesARestart() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile()))).isEqualTo("rw-------");
    String key = Files.readString(keyFile()).trim();
    assertThat(app.get("/api/info").body()).doesNotContain(key);
    String token = app.authorToken("restarted");
    app.close();
    app = RunningApp.start(dataDir, "--partitions", "2");
    assertThat(Files.readString(keyFile()).trim()).isEqualTo(key);
    assertThat(writeWith("POST", "/api/blogs", "Bearer " + token, draft("after a restart")).statusCode())
        .isEqualTo(201);
    assertThat(app.json(app.get("/api/info")).getJsonObject("auth"))
        .isEqualTo(new JsonObject().put("mode", "tokens").put("tokensFrom", "fanout"));
  }
}
