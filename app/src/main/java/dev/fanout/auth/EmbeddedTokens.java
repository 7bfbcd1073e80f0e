package dev.fanout.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Author tokens on the embedded default, where no identity provider is configured: Fanout signs them
 * itself (HS256, issuer and audience {@value #ISSUER}) with a key it keeps in a file: created on the first
 * start (owner-only permissions), read on every later one, never logged. The file is made once: instances
 * starting together on a new file all end up with the one key that was written first. The key never leaves the
 * process, so a symmetric signature is enough, and checking one costs a hash, not a public-key operation.
 * Instances that should accept each other's tokens are given the same key file.
 */
public final class EmbeddedTokens {

  /** The issuer and audience of the tokens minted here. */
  public static final String ISSUER = "fanout";
  /** The lifetime of a token when none is asked for: a day. */
  public static final long DEFAULT_TTL_SECONDS = 86_400;
  /** The longest lifetime a token may be given: a year. */
  public static final long MAX_TTL_SECONDS = 31_536_000;

  private static final String ALGORITHM = "HS256";
  private static final int MIN_KEY_CHARS = 32;

  private final JWTAuth jwt;
  private final JWTAuth verifier;

  /** A freshly signed token and the instant it stops being accepted. */
  public record Minted(String token, Instant expiresAt) {
  }

  private EmbeddedTokens(Vertx vertx, String key) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .setJWTOptions(new JWTOptions().setIssuer(ISSUER).setAudience(List.of(ISSUER)))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(key)));
    this.verifier = new VerifiedTokens(jwt, 0);
  }

  /** Reads the key in {@code keyFile}, creating the file first if it does not exist (on a worker thread). */
  public static Future<EmbeddedTokens> open(Vertx vertx, Path keyFile) {
    return vertx.executeBlocking(() -> new EmbeddedTokens(vertx, readOrCreate(keyFile)));
  }

  /**
   * What checks the tokens minted here (signature, issuer, audience, expiry); a token seen before is only
   * checked for expiry again.
   */
  public JWTAuth verifier() {
    return verifier;
  }

  /** A token whose subject is {@code authorId}, valid for {@code ttlSeconds} from now. */
  public Minted mint(String authorId, long ttlSeconds) {
    long now = Instant.now().getEpochSecond();
    Instant expiresAt = Instant.ofEpochSecond(now + ttlSeconds);
    String token = jwt.generateToken(new JsonObject().put("sub", authorId).put("iat", now)
            .put("exp", expiresAt.getEpochSecond()),
        new JWTOptions().setAlgorithm(ALGORITHM).setNoTimestamp(true).setIssuer(ISSUER).setAudience(List.of(ISSUER)));
    return new Minted(token, expiresAt);
  }

  // The key as text: 32 random bytes, base64url. Starts racing on a new file all end with the key of the one
  // whose link came first: a hard link never replaces an existing name (a rename would, silently), and the
  // linked file is complete before it has the name, so nobody reads half a key.
  static String readOrCreate(Path keyFile) throws IOException {
    if (!Files.exists(keyFile)) {
      Path dir = keyFile.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      Path fresh = Files.createTempFile(dir, ".signing-key", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(fresh, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n");
        // on disk before it has its name: a crash must not leave an empty key file behind
        try (FileChannel channel = FileChannel.open(fresh, StandardOpenOption.WRITE)) {
          channel.force(true);
        }
        Files.createLink(keyFile, fresh);
      } catch (FileAlreadyExistsException e) {
        // another start made it first: its key is the one
      } finally {
        Files.deleteIfExists(fresh);
      }
    }
    String key = new String(Files.readAllBytes(keyFile), StandardCharsets.UTF_8).trim();
    if (key.length() < MIN_KEY_CHARS) {
      throw new IOException("the author signing key in " + keyFile + " is shorter than " + MIN_KEY_CHARS
          + " characters; delete the file to have a new one made (tokens signed with the old key stop working)");
    }
    return key;
  }
}
