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

/**
 * Remembers the tokens a verifier accepted, so that an author sending the same token again is not checked
 * again: the signature of a token cannot change, only time can make it stop being good. A remembered token
 * is accepted until its {@code exp} (with the verifier's leeway); the verifier itself checks the first use
 * of every token, and every token it refused. At most {@link #MAX_TOKENS} are kept: beyond that one token
 * is forgotten for each new one, the least recently used first (Caffeine's eviction, which also keeps a
 * token used often over one used once), so the busy authors' tokens stay remembered however many authors
 * there are. Safe to call from any thread.
 */
final class VerifiedTokens implements JWTAuth {

  static final int MAX_TOKENS = 10_000;

  private final JWTAuth verifier;
  private final int leewaySeconds;
  // eviction runs on the calling thread: it is a few steps per insert, and no pool thread is needed for it
  private final Cache<String, User> accepted = Caffeine.newBuilder().maximumSize(MAX_TOKENS)
      .executor(Runnable::run).build();

  VerifiedTokens(JWTAuth verifier, int leewaySeconds) {
    this.verifier = verifier;
    this.leewaySeconds = leewaySeconds;
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials token) || token.getToken() == null) {
      return verifier.authenticate(credentials);
    }
    User known = accepted.getIfPresent(token.getToken());
    if (known != null) {
      if (!known.expired(leewaySeconds)) {
        // a copy per request: a request may add to its user's attributes
        return Future.succeededFuture(User.create(known.principal().copy(), known.attributes().copy()));
      }
      accepted.invalidate(token.getToken());
    }
    return verifier.authenticate(credentials).onSuccess(user ->
        accepted.put(token.getToken(), User.create(user.principal().copy(), user.attributes().copy())));
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
