package dev.fanout.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Guards everything under {@code /api/admin/}: the request must carry {@code Authorization: Bearer
 * <token>}. The check takes the same time whatever the guess (both sides are hashed, then compared with
 * {@link MessageDigest#isEqual}), so the token cannot be found a character at a time. Otherwise 401 with
 * a JSON body.
 */
public final class AdminToken implements Handler<RoutingContext> {

  private static final String PREFIX = "Bearer ";

  private final byte[] expected;

  public AdminToken(String token) {
    this.expected = sha256(token);
  }

  /** A fresh random token for a run that was given none: 32 characters, URL-safe. */
  public static String generate() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String given = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        ? header.substring(PREFIX.length()).trim() : "";
    if (MessageDigest.isEqual(expected, sha256(given))) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"fanout-admin\"");
      ApiErrors.send(ctx, 401, "unauthorized", "admin endpoints need the header Authorization: Bearer <admin token>",
          null);
    }
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
