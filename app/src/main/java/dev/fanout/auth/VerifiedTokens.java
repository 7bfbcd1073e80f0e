package dev.fanout.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Predicate;

/**
 * Remembers the tokens a verifier accepted, so that an author sending the same token again is not checked
 * again: the signature of a token cannot change, only time can make it stop being good. A remembered token
 * is accepted until its {@code exp} (with the verifier's leeway); the verifier itself checks the first use
 * of every token, and every token it refused. At most {@link #MAX_TOKENS} are kept: beyond that one token
 * is forgotten for each new one, the least recently used first (Caffeine's eviction, which also keeps a
 * token used often over one used once), so the busy authors' tokens stay remembered however many authors
 * there are. A verifier whose keys change is {@link #replace replaced}: the tokens signed with keys it still
 * has stay remembered, the others are forgotten. Safe to call from any thread.
 */
final class VerifiedTokens implements JWTAuth {

  static final int MAX_TOKENS = 10_000;

  private final int leewaySeconds;
  // eviction runs on the calling thread: it is a few steps per insert, and no pool thread is needed for it
  private final Cache<String, Accepted> accepted = Caffeine.newBuilder().maximumSize(MAX_TOKENS)
      .executor(Runnable::run).build();
  // guarded by this for writes: a check started before a replace must not remember its token after it
  private volatile JWTAuth verifier;
  private volatile long generation;

  /** An accepted token's user, and the id of the key that signed it (null when the token names none). */
  private record Accepted(User user, String keyId) {
  }

  VerifiedTokens(JWTAuth verifier, int leewaySeconds) {
    this.verifier = verifier;
    this.leewaySeconds = leewaySeconds;
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials token) || token.getToken() == null) {
      return verifier.authenticate(credentials);
    }
    Accepted known = accepted.getIfPresent(token.getToken());
    if (known != null) {
      if (!known.user().expired(leewaySeconds)) {
        // a copy per request: a request may add to its user's attributes
        return Future.succeededFuture(User.create(known.user().principal().copy(), known.user().attributes().copy()));
      }
      accepted.invalidate(token.getToken());
    }
    long checkedIn = generation;
    return verifier.authenticate(credentials).onSuccess(user -> {
      Accepted remembered = new Accepted(User.create(user.principal().copy(), user.attributes().copy()),
          keyId(token.getToken()));
      synchronized (this) {
        if (generation == checkedIn) {
          accepted.put(token.getToken(), remembered);
        }
      }
    });
  }

  /**
   * Checks with {@code next} from now on. A remembered token stays remembered when {@code kept} holds for
   * the id of the key that signed it (null for a token that names no key): the key is still there, unchanged.
   */
  synchronized void replace(JWTAuth next, Predicate<String> kept) {
    verifier = next;
    generation++;
    accepted.asMap().values().removeIf(remembered -> !kept.test(remembered.keyId()));
  }

  // The kid of the token's header; the verifier has already read the header, so it is well formed.
  private static String keyId(String token) {
    try {
      String header = token.substring(0, token.indexOf('.'));
      return new JsonObject(new String(Base64.getUrlDecoder().decode(header), StandardCharsets.UTF_8)).getString("kid");
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Whether {@code token} is remembered as accepted. */
  boolean remembers(String token) {
    return accepted.getIfPresent(token) != null;
  }

  /** How many tokens are remembered now, once pending evictions are done. */
  long size() {
    accepted.cleanUp();
    return accepted.estimatedSize();
  }

  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    return verifier.generateToken(claims, options);
  }

  @Override
  public String generateToken(JsonObject claims) {
    return verifier.generateToken(claims);
  }
}
