package dev.fanout.auth;

import dev.fanout.core.AuthorId;
import dev.fanout.http.ApiErrors;
import dev.fanout.http.Caller;
import dev.fanout.http.WriteRateLimit;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.JWTAuthHandler;

/**
 * Puts author authentication in front of routes: the request must carry {@code Authorization: Bearer
 * <JWT>}, checked by vertx-web's {@link JWTAuthHandler} with the given verifier; its subject ({@code sub}),
 * an author id, becomes the request's {@link Caller}. Anything else (no token, a malformed, badly signed
 * or expired one, a wrong issuer or audience, a subject that is not an author id) is answered 401
 * {@code {"error": "unauthenticated", ...}} with {@code WWW-Authenticate: Bearer}, before the route's own
 * handlers run. With a rate limit, refused requests count against the client's address (429 beyond it),
 * so guessing tokens is as limited as writing.
 */
public final class AuthorAuthRoutes {

  static final String REALM = "fanout";
  private static final String AUTHENTICATING = "fanout.auth.authenticating";

  private final JWTAuthHandler tokens;
  private final WriteRateLimit limit;

  /** @param limit counts refused requests per address; null for no limit */
  public AuthorAuthRoutes(JWTAuth verifier, WriteRateLimit limit) {
    this.tokens = JWTAuthHandler.create(verifier, REALM);
    this.limit = limit;
  }

  /** Guards {@code path} for {@code methods}; mount before the routes it guards. */
  public void mount(Router router, String path, HttpMethod... methods) {
    // vertx-web wants an authentication handler first on its route: the mark goes on a route of its own
    route(router, path, methods).handler(ctx -> {
      ctx.put(AUTHENTICATING, Boolean.TRUE);
      ctx.next();
    }).failureHandler(this::refuse);
    route(router, path, methods).handler(tokens).handler(this::author);
  }

  private static Route route(Router router, String path, HttpMethod... methods) {
    Route route = router.route(path);
    for (HttpMethod method : methods) {
      route.method(method);
    }
    return route;
  }

  private void author(RoutingContext ctx) {
    // the token check is over: failures from here on are not its own
    ctx.remove(AUTHENTICATING);
    User user = ctx.user();
    Object subject = user == null ? null : user.principal().getValue("sub");
    if (!(subject instanceof String author) || !AuthorId.isValid(author)) {
      unauthenticated(ctx, "the token's subject (sub) is not an author id (1 to 64 of A-Z, a-z, 0-9, _ and -)");
      return;
    }
    Caller.authenticated(ctx, author);
    ctx.next();
  }

  // A failure of the token check answered here; any later failure goes on to the router's own handlers.
  private void refuse(RoutingContext ctx) {
    if (ctx.remove(AUTHENTICATING) == null) {
      ctx.next();
      return;
    }
    if (limit != null && !limit.allow(WriteRateLimit.address(ctx))) {
      limit.refuse(ctx);
      return;
    }
    unauthenticated(ctx, reason(ctx));
  }

  private void unauthenticated(RoutingContext ctx, String message) {
    boolean tokenGiven = ctx.request().getHeader("Authorization") != null;
    // RFC 6750: a request without credentials gets the bare challenge, a bad token the invalid_token error
    ctx.response().headers().set("WWW-Authenticate", tokenGiven
        ? "Bearer realm=\"" + REALM + "\", error=\"invalid_token\"" : "Bearer realm=\"" + REALM + "\"");
    ApiErrors.send(ctx, 401, "unauthenticated", message, null);
  }

  private static String reason(RoutingContext ctx) {
    if (ctx.request().getHeader("Authorization") == null) {
      return "writes need an author token: Authorization: Bearer <token>";
    }
    Throwable failure = ctx.failure();
    Throwable cause = failure instanceof HttpException http && http.getCause() != null ? http.getCause() : failure;
    String detail = cause == null || cause.getMessage() == null || cause instanceof HttpException
        ? "it is not a well-formed Bearer JWT" : cause.getMessage();
    return "the author token was refused: " + detail;
  }
}
