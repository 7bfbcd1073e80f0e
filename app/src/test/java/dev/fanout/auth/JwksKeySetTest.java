package dev.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a fetch of the provider's keys does to the tokens already accepted: those whose key is still served,
 * unchanged, stay remembered; those whose key was removed or replaced are forgotten and refused. The test
 * serves the JWKS document itself, over HTTP on 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwksKeySetTest {

  private static final String ISSUER = "https://id.test/";
  private static final String AUDIENCE = "fanout-api";

  private final Vertx vertx = Vertx.vertx();
  private final AtomicReference<JsonObject> jwks = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private HttpServer provider;
  private JwksVerifier verifier;

  /** An RS256 key pair: its public JWK, and a signer holding its private key. */
  private record Key(JsonObject jwk, JWTAuth signer) {
    String sign(String author) {
      long now = Instant.now().getEpochSecond();
      return signer.generateToken(new JsonObject().put("sub", author).put("iss", ISSUER).put("aud", AUDIENCE)
          .put("iat", now).put("exp", now + 600), new JWTOptions().setAlgorithm("RS256").setNoTimestamp(true));
    }
  }

  @BeforeAll
  void start() throws Exception {
    provider = RunningApp.await(vertx.createHttpServer().requestHandler(request -> {
      fetches.incrementAndGet();
      request.response().putHeader("content-type", "application/json").end(jwks.get().encode());
    }).listen(0, "127.0.0.1"));
  }

  @AfterAll
  void stop() throws Exception {
    if (verifier != null) {
      verifier.close();
    }
    RunningApp.await(vertx.close());
  }

  private Key key(String kid) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    RSAPublicKey publicKey = (RSAPublicKey) pair.getPublic();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
        .put("n", unsigned(publicKey.getModulus())).put("e", unsigned(publicKey.getPublicExponent()));
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    return new Key(jwk, JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setId(kid).setBuffer(pem))));
  }

  private static String unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static JsonObject document(Key... keys) {
    JsonArray list = new JsonArray();
    for (Key key : keys) {
      list.add(key.jwk());
    }
    return new JsonObject().put("keys", list);
  }

  private boolean accepted(String token) throws Exception {
    return RunningApp.failure(verifier.authenticate(new TokenCredentials(token))) == null;
  }

  // A token naming a key id the provider does not serve makes the verifier fetch the keys again.
  private void fetchAgain(Key unknown) {
    int before = fetches.get();
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
      accepted(unknown.sign("nobody"));
      return fetches.get() > before;
    });
  }

  @Test
  void aFetchForgetsOnlyTheTokensWhoseKeyIsGoneOrReplaced() throws Exception {
    Key kept = key("kept");
    Key removed = key("removed");
    Key replaced = key("replaced");
    jwks.set(document(kept, removed, replaced));
    verifier = RunningApp.await(JwksVerifier.start(vertx,
        "http://127.0.0.1:" + provider.actualPort() + "/jwks.json", ISSUER, AUDIENCE, Duration.ofHours(1)));
    String byKept = kept.sign("ada");
    String byRemoved = removed.sign("bob");
    String byReplaced = replaced.sign("cy");
    for (String token : List.of(byKept, byRemoved, byReplaced)) {
      assertThat(accepted(token)).isTrue();
      assertThat(verifier.remembers(token)).isTrue();
    }

    // the provider drops one key, and serves another key under the id of a third
    jwks.set(document(kept, key("replaced")));
    fetchAgain(key("unknown"));

    assertThat(verifier.remembers(byKept)).as("a token whose key is still served").isTrue();
    assertThat(verifier.remembers(byRemoved)).as("a token whose key was removed").isFalse();
    assertThat(verifier.remembers(byReplaced)).as("a token whose key id now names another key").isFalse();
    assertThat(accepted(byKept)).isTrue();
    assertThat(accepted(byRemoved)).isFalse();
    assertThat(accepted(byReplaced)).isFalse();
  }
}
