package dev.fanout.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks author tokens issued by an identity provider against the keys of its JWKS document (RS256,
 * ES256 and the other algorithms vertx-auth-jwt knows), fetched at start and again every
 * {@code refresh}. A token whose key id is not among the known keys makes it fetch them again at once
 * (a provider rotating keys publishes the new one before signing with it), at most once a
 * {@link #MIN_REFETCH_GAP}; a key the provider removed stops being accepted at the next fetch. A fetch
 * that fails keeps the keys already known and is logged.
 *
 * <p>Each fetch builds a new vertx-auth-jwt provider over the key set and swaps it in; the checks
 * (signature, {@code exp} with {@link #LEEWAY} for clocks that differ, issuer and audience when given) are
 * that provider's. The tokens it accepted are remembered ({@link VerifiedTokens}) until they expire, or until
 * a fetch finds their key removed or changed; a fetch leaves the others remembered.
 */
public final class JwksVerifier implements JWTAuth {

  /** The least time between two fetches caused by unknown key ids. */
  static final Duration MIN_REFETCH_GAP = Duration.ofSeconds(1);
  /** Clock difference allowed between the provider and this process when checking {@code exp}. */
  static final int LEEWAY = 30;

  private static final Logger LOG = LoggerFactory.getLogger(JwksVerifier.class);

  private final Vertx vertx;
  private final WebClient client;
  private final String url;
  private final JWTOptions checks;
  // set by the first fetch; later fetches replace the verifier inside it
  private volatile VerifiedTokens current;
  // guarded by this: the signing keys of the newest fetch, by key id
  private Map<String, JsonObject> keys = Map.of();
  private volatile long lastFetchNanos;
  // guarded by this: the fetch under way, shared by everyone who wants one meanwhile
  private Future<Void> fetching;
  private long timer = -1;

  private JwksVerifier(Vertx vertx, String url, String issuer, String audience) {
    this.vertx = vertx;
    this.url = url;
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000).setUserAgent("fanout"));
    this.checks = new JWTOptions().setLeeway(LEEWAY).setIssuer(issuer)
        .setAudience(audience == null ? null : List.of(audience));
  }

  /** Fetches the provider's keys; fails when they cannot be fetched or none is usable. */
  public static Future<JwksVerifier> start(Vertx vertx, String url, String issuer, String audience, Duration refresh) {
    JwksVerifier verifier = new JwksVerifier(vertx, url, issuer, audience);
    return verifier.refetch().map(v -> {
      verifier.timer = vertx.setPeriodic(refresh.toMillis(), id -> verifier.refetch()
          .onFailure(e -> LOG.warn("could not refresh the JWKS keys from {}; keeping the known ones: {}", url,
              e.getMessage())));
      return verifier;
    }).recover(e -> {
      verifier.client.close();
      return Future.failedFuture(new IllegalStateException("could not load the JWKS keys from " + url + ": "
          + e.getMessage(), e));
    });
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    return current.authenticate(credentials).recover(e -> {
      if (e instanceof NoSuchKeyIdException
          && System.nanoTime() - lastFetchNanos >= MIN_REFETCH_GAP.toNanos()) {
        return refetch().transform(v -> current.authenticate(credentials));
      }
      return Future.failedFuture(e);
    });
  }

  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    throw new UnsupportedOperationException("author tokens come from the identity provider");
  }

  @Override
  public String generateToken(JsonObject claims) {
    throw new UnsupportedOperationException("author tokens come from the identity provider");
  }

  /** Whether {@code token} is remembered as accepted, so that it is not checked again. */
  boolean remembers(String token) {
    return current.remembers(token);
  }

  /** Stops refreshing. */
  public void close() {
    vertx.cancelTimer(timer);
    client.close();
  }

  // One fetch at a time; whoever asks meanwhile shares it.
  private synchronized Future<Void> refetch() {
    if (fetching == null) {
      fetching = fetch().andThen(ar -> {
        synchronized (this) {
          fetching = null;
        }
      });
    }
    return fetching;
  }

  // A token stays remembered when the key that signed it is served again, the same; a token that names no
  // key, only when no key was removed or changed.
  private synchronized void swap(JWTAuth next, List<JsonObject> jwks) {
    Map<String, JsonObject> fetched = new HashMap<>();
    jwks.forEach(jwk -> fetched.put(jwk.getString("kid"), jwk));
    if (current == null) {
      current = new VerifiedTokens(next, LEEWAY);
    } else {
      Map<String, JsonObject> before = keys;
      boolean noneGone = fetched.entrySet().containsAll(before.entrySet());
      current.replace(next, kid -> kid == null ? noneGone
          : before.containsKey(kid) && before.get(kid).equals(fetched.get(kid)));
    }
    keys = fetched;
  }

  private Future<Void> fetch() {
    // counted from the attempt: a provider that is down is not asked again for every unknown key id
    lastFetchNanos = System.nanoTime();
    return client.getAbs(url).timeout(10_000).send().compose(response -> {
      if (response.statusCode() != 200) {
        return Future.failedFuture("the JWKS URL answered " + response.statusCode());
      }
      JsonArray keys;
      try {
        keys = response.bodyAsJsonObject().getJsonArray("keys");
      } catch (RuntimeException e) {
        return Future.failedFuture("the JWKS document is not a JSON object with \"keys\": " + e.getMessage());
      }
      if (keys == null) {
        return Future.failedFuture("the JWKS document has no \"keys\"");
      }
      JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
      for (Object key : keys) {
        // keys for encryption are not for checking signatures
        if (key instanceof JsonObject jwk && !"enc".equals(jwk.getString("use"))) {
          options.addJwk(jwk);
        }
      }
      if (options.getJwks() == null || options.getJwks().isEmpty()) {
        return Future.failedFuture("the JWKS document has no signing keys");
      }
      swap(JWTAuth.create(vertx, options), options.getJwks());
      return Future.succeededFuture();
    });
  }
}
