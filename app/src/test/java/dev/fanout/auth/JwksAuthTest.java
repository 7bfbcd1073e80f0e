package dev.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Author tokens from an identity provider: the test is the provider. It serves a JWKS document on
 * 127.0.0.1 and signs tokens with RS256 and ES256 keys it made; the app is given its URL, issuer and
 * audience, and checks tokens against the keys it fetched. Keys rotate: a token signed by a key added to
 * the document is accepted once the app has fetched it again, one signed by a removed key is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // keysRotate changes the provider's keys: last
class JwksAuthTest {

  private static final String ISSUER = "https://id.test/";
  private static final String AUDIENCE = "fanout-api";
  private static final int REFRESH_SECONDS = 2;

  private final Vertx vertx = Vertx.vertx();
  private final AtomicReference<JsonObject> jwks = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private HttpServer provider;
  private Path dataDir;
  private RunningApp app;
  private Signer rsa1;
  private Signer rsa2;
  private Signer ec1;
  private Signer stranger;

  /** One key pair: its public JWK and a signer with its private key. */
  private record Signer(String kid, String algorithm, JsonObject jwk, JWTAuth auth) {
    String sign(JsonObject claims) {
      return auth.generateToken(claims, new JWTOptions().setAlgorithm(algorithm).setNoTimestamp(true));
    }
  }

  @BeforeAll
  void start() throws Exception {
    rsa1 = rsa("rsa-1");
    rsa2 = rsa("rsa-2");
    ec1 = ec("ec-1");
    stranger = rsa("rsa-1"); // the same key id as a served key, another key
    jwks.set(document(rsa1, ec1));
    provider = RunningApp.await(vertx.createHttpServer().requestHandler(request -> {
      fetches.incrementAndGet();
      request.response().putHeader("content-type", "application/json").end(jwks.get().encode());
    }).listen(0, "127.0.0.1"));
    dataDir = Files.createTempDirectory("fanout-jwks");
    app = RunningApp.start(dataDir, "--partitions", "2",
        "--jwt-jwks-url", "http://127.0.0.1:" + provider.actualPort() + "/.well-known/jwks.json",
        "--jwt-issuer", ISSUER, "--jwt-audience", AUDIENCE,
        "--jwt-jwks-refresh-seconds", Integer.toString(REFRESH_SECONDS), "--jwt-allow-insecure-http");
  }

  @AfterAll
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    RunningApp.await(vertx.close());
    RunningApp.deleteRecursively(dataDir);
  }

  private Signer rsa(String kid) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
        .put("n", unsigned(key.getModulus(), 0)).put("e", unsigned(key.getPublicExponent(), 0));
    return new Signer(kid, "RS256", jwk, signer("RS256", kid, pair));
  }

  private Signer ec(String kid) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    ECPublicKey key = (ECPublicKey) pair.getPublic();
    // no "alg": providers may leave it out, and P-256 means ES256
    JsonObject jwk = new JsonObject().put("kty", "EC").put("kid", kid).put("use", "sig").put("crv", "P-256")
        .put("x", unsigned(key.getW().getAffineX(), 32)).put("y", unsigned(key.getW().getAffineY(), 32));
    return new Signer(kid, "ES256", jwk, signer("ES256", kid, pair));
  }

  private JWTAuth signer(String algorithm, String kid, KeyPair pair) {
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setId(kid).setBuffer(pem)));
  }

  // base64url of a big-endian unsigned integer, left-padded to {@code length} bytes when length > 0
  private static String unsigned(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (length > bytes.length) {
      byte[] padded = new byte[length];
      System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
      bytes = padded;
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static JsonObject document(Signer... signers) {
    JsonArray keys = new JsonArray();
    for (Signer signer : signers) {
      keys.add(signer.jwk());
    }
    // a key for encryption is no signing key: it must be passed over
    keys.add(new JsonObject().put("kty", "RSA").put("kid", "enc-1").put("use", "enc").put("n", "AQAB").put("e", "AQAB"));
    return new JsonObject().put("keys", keys);
  }

  private static JsonObject claims(String author) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject().put("sub", author).put("iss", ISSUER).put("aud", new JsonArray().add(AUDIENCE).add("other"))
        .put("iat", now).put("exp", now + 600);
  }

  private HttpResponse<String> publish(String token) throws Exception {
    return app.send("POST", "/api/blogs", "application/json",
        new JsonObject().put("title", "from the provider").put("body", "b").encode(), "Authorization", "Bearer " + token);
  }

  private static void assertUnauthenticated(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("unauthenticated");
  }

  @Test
  @Order(1)
  void theProvidersRs256AndEs256TokensAreCheckedAgainstItsKeys() throws Exception {
    HttpResponse<String> byRsa = publish(rsa1.sign(claims("provider-rsa")));
    assertThat(byRsa.statusCode()).as(byRsa.body()).isEqualTo(201);
    assertThat(app.json(app.get("/api/blogs/" + app.json(byRsa).getString("blogId"))).getString("authorId"))
        .isEqualTo("provider-rsa");
    HttpResponse<String> byEc = publish(ec1.sign(claims("provider-ec")));
    assertThat(byEc.statusCode()).as(byEc.body()).isEqualTo(201);

    long blogs = app.queryLong("SELECT count(*) FROM blogs");
    long now = Instant.now().getEpochSecond();
    for (String token : List.of(
        rsa1.sign(claims("x").put("iss", "https://evil.test/")),
        rsa1.sign(claims("x").put("aud", "someone-else")),
        rsa1.sign(claims("x").put("iat", now - 7200).put("exp", now - 3600)),
        ec1.sign(claims("x").put("exp", now - 120)),
        stranger.sign(claims("x")))) {
      assertUnauthenticated(publish(token));
    }
    assertThat(app.queryLong("SELECT count(*) FROM blogs")).isEqualTo(blogs);

    HttpResponse<String> mint = app.admin("POST", "/api/admin/authors/ada/tokens", null);
    assertThat(mint.statusCode()).isEqualTo(409);
    assertThat(app.json(mint).getString("error")).isEqualTo("tokens_not_minted_here");
    assertThat(app.json(app.get("/api/info")).getJsonObject("auth").getString("tokensFrom")).isEqualTo("provider");
  }

  @Test
  @Order(3)
  void keysRotate() throws Exception {
    String before = rsa1.sign(claims("rotating"));
    assertThat(publish(before).statusCode()).isEqualTo(201);

    // the provider publishes a new key and drops the old one
    jwks.set(document(rsa2, ec1));
    String after = rsa2.sign(claims("rotating"));
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> publish(after).statusCode() == 201);
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> publish(before).statusCode() == 401);
    assertUnauthenticated(publish(before));
    assertThat(publish(ec1.sign(claims("rotating"))).statusCode()).isEqualTo(201);
  }

  @Test
  @Order(2)
  void unknownKeyIdsDoNotMakeTheAppHammerTheProvider() throws Exception {
    Signer unknown = rsa("never-published");
    int before = fetches.get();
    long started = System.nanoTime();
    for (int i = 0; i < 50; i++) {
      assertUnauthenticated(publish(unknown.sign(claims("guess-" + i))));
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    // at most one fetch a second for unknown key ids, plus the periodic ones, plus one in flight at each end
    long allowed = (long) Math.ceil(seconds / JwksVerifier.MIN_REFETCH_GAP.toSeconds())
        + (long) Math.ceil(seconds / REFRESH_SECONDS) + 2;
    assertThat(fetches.get() - before).isLessThanOrEqualTo((int) allowed);
  }
}
