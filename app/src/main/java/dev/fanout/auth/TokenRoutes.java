package dev.fanout.auth;

import dev.fanout.core.AuthorId;
import dev.fanout.core.Refusal;
import dev.fanout.http.ApiErrors;
import dev.fanout.http.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/admin/authors/{authorId}/tokens}, optional body {@code {"ttlSeconds": n}}: mints an
 * author token on the embedded default and answers 201 {@code {"authorId", "token", "expiresAt"}}. The
 * admin token guards it (as all of {@code /api/admin/}). Where tokens come from an identity provider, or
 * authentication is off, there is nothing to mint: 409 {@code tokens_not_minted_here}.
 */
public final class TokenRoutes {

  private final EmbeddedTokens tokens;
  private final String whyNot;

  /** Mints with {@code tokens}. */
  public TokenRoutes(EmbeddedTokens tokens) {
    this.tokens = tokens;
    this.whyNot = null;
  }

  /** Refuses to mint, saying {@code whyNot}. */
  public TokenRoutes(String whyNot) {
    this.tokens = null;
    this.whyNot = whyNot;
  }

  public void mount(Router router) {
    router.post("/api/admin/authors/:authorId/tokens").handler(this::mint);
  }

  private void mint(RoutingContext ctx) {
    ApiErrors.respond(ctx, 201, () -> {
      String authorId = AuthorId.check(ctx.pathParam("authorId"));
      long ttl = ttlSeconds(ctx);
      if (tokens == null) {
        throw Refusal.conflict("tokens_not_minted_here", whyNot, null);
      }
      EmbeddedTokens.Minted minted = tokens.mint(authorId, ttl);
      ctx.response().putHeader("Cache-Control", "no-store");
      return Future.succeededFuture(new JsonObject().put("authorId", authorId).put("token", minted.token())
          .put("expiresAt", minted.expiresAt().toString()));
    });
  }

  private static long ttlSeconds(RoutingContext ctx) {
    if (ctx.body().buffer() == null || ctx.body().buffer().length() == 0) {
      return EmbeddedTokens.DEFAULT_TTL_SECONDS;
    }
    Object ttl = JsonBodies.declaredObject(ctx).getValue("ttlSeconds");
    if (ttl == null) {
      return EmbeddedTokens.DEFAULT_TTL_SECONDS;
    }
    if (!(ttl instanceof Integer || ttl instanceof Long)
        || ((Number) ttl).longValue() < 1 || ((Number) ttl).longValue() > EmbeddedTokens.MAX_TTL_SECONDS) {
      throw Refusal.invalid("ttlSeconds", "ttlSeconds must be a whole number of seconds, 1 to "
          + EmbeddedTokens.MAX_TTL_SECONDS);
    }
    return ((Number) ttl).longValue();
  }
}
