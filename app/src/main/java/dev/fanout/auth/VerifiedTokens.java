package dev.fanout.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the tokens a verifier accepted, so that an author sending the same token again is not checked
 * again: the signature of a token cannot change, only time can make it stop being good. A remembered token
 * is accepted until its {@code exp} (with the verifier's leeway); the verifier itself checks the first use
 * of every token, and every token it refused. At most {@link #MAX_TOKENS} are kept; beyond that the memory
 * starts over. A verifier whose keys change builds a new instance, forgetting every token.
 */
final class VerifiedTokens implements JWTAuth {

  static final int MAX_TOKENS = 10_000;

  private final JWTAuth verifier;
  private final int leewaySeconds;
  private final Map<String, User> accepted = new ConcurrentHashMap<>();

  VerifiedTokens(JWTAuth verifier, int leewaySeconds) {
    this.verifier = verifier;
    this.leewaySeconds = leewaySeconds;
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials token) || token.getToken() == null) {
      return verifier.authenticate(credentials);
    }
    User known = accepted.get(token.getToken());
    if (known != null) {
      if (!known.expired(leewaySeconds)) {
        // a copy per request: a request may add to its user's attributes
        return Future.succeededFuture(User.create(known.principal().copy(), known.attributes().copy()));
      }
      accepted.remove(token.getToken());
    }
    return verifier.authenticate(credentials).onSuccess(user -> {
      if (accepted.size() >= MAX_TOKENS) {
        accepted.clear();
      }
      accepted.put(token.getToken(), User.create(user.principal().copy(), user.attributes().copy()));
    });
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
