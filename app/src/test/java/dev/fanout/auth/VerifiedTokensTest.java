package dev.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The memory of verified tokens past its bound: far more authors than it keeps, one of them writing all the
 * time. It never holds more than {@link VerifiedTokens#MAX_TOKENS}, the busy author's token and the newest
 * tokens stay remembered (not checked again), and nothing makes every author's token be checked again at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifiedTokensTest {

  private final Vertx vertx = Vertx.vertx();
  private final JWTAuth hs256 = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("a-test-key-of-at-least-32-characters!")));

  /** The real verifier, counting the tokens it is asked to check. */
  private final class Counted implements JWTAuth {
    final AtomicInteger checks = new AtomicInteger();
    final java.util.Map<String, Integer> perToken = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Future<User> authenticate(Credentials credentials) {
      checks.incrementAndGet();
      perToken.merge(((TokenCredentials) credentials).getToken(), 1, Integer::sum);
      return hs256.authenticate(credentials);
    }

    @Override
    public String generateToken(JsonObject claims, JWTOptions options) {
      return hs256.generateToken(claims, options);
    }

    @Override
    public String generateToken(JsonObject claims) {
      return hs256.generateToken(claims);
    }
  }

  @AfterAll
  void stop() throws Exception {
    RunningApp.await(vertx.close());
  }

  private String token(String author) {
    long now = Instant.now().getEpochSecond();
    return hs256.generateToken(new JsonObject().put("sub", author).put("exp", now + 3600),
        new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
  }

  private static String subject(VerifiedTokens tokens, String token) throws Exception {
    return RunningApp.await(tokens.authenticate(new TokenCredentials(token))).principal().getString("sub");
  }

  @Test
  void pastItsBoundTheMemoryStaysBoundedAndWarm() throws Exception {
    Counted verifier = new Counted();
    VerifiedTokens tokens = new VerifiedTokens(verifier, 0);
    String busy = token("busy");
    assertThat(subject(tokens, busy)).isEqualTo("busy");

    int authors = 3 * VerifiedTokens.MAX_TOKENS;
    Deque<String> newest = new ArrayDeque<>();
    for (int i = 0; i < authors; i++) {
      String token = token("author-" + i);
      assertThat(subject(tokens, token)).isEqualTo("author-" + i);
      newest.addLast(token);
      if (newest.size() > 20) {
        newest.removeFirst();
      }
      if (i % 50 == 0) {
        assertThat(subject(tokens, busy)).isEqualTo("busy");
      }
      assertThat(tokens.size()).as("tokens remembered after %d authors", i + 1)
          .isLessThanOrEqualTo(VerifiedTokens.MAX_TOKENS);
    }
    assertThat(verifier.perToken.get(busy)).as("checks of the busy author's token").isEqualTo(1);

    int checksBefore = verifier.checks.get();
    assertThat(subject(tokens, busy)).isEqualTo("busy");
    for (String token : newest) {
      RunningApp.await(tokens.authenticate(new TokenCredentials(token)));
    }
    assertThat(verifier.checks.get() - checksBefore).as("checks of the busy and the 20 newest tokens again").isZero();
    assertThat(verifier.checks.get()).as("every other token checked once").isEqualTo(authors + 1);
  }
}
