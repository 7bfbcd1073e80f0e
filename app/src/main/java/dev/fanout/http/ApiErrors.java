package dev.fanout.http;

import dev.fanout.core.Refusal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where an outcome becomes an HTTP answer. An error answer is JSON,
 * {@code {"error": code, "message": ..., "field": ...}}; a 503 or 429 also carries {@code Retry-After: 1}.
 *
 * <p>A {@link Refusal} gets the status of its kind (see {@link #status}); a {@link RequestProblem} its
 * own; anything else is a 500 that hides internals (they go to the log).
 */
public final class ApiErrors {

  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {
  }

  /** The status code of a refusal's kind. */
  public static int status(Refusal.Kind kind) {
    return switch (kind) {
      case INVALID -> 400;
      case NOT_FOUND -> 404;
      case FORBIDDEN -> 403;
      case CONFLICT -> 409;
      case KEY_REUSED -> 422;
      case OVERLOADED, UNAVAILABLE -> 503;
    };
  }

  /**
   * Runs {@code action} and answers with its JSON and {@code status}, or with its failure; a failure
   * thrown by the action itself (validation) is answered the same way.
   */
  public static void respond(RoutingContext ctx, int status, Supplier<Future<JsonObject>> action) {
    Future<JsonObject> result;
    try {
      result = action.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(body -> ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
            .end(body.encode()))
        .onFailure(e -> fail(ctx, e));
  }

  /** Answers a failure: a refusal or request problem as itself, anything else as a 500. */
  public static void fail(RoutingContext ctx, Throwable failure) {
    if (failure instanceof Refusal refusal) {
      send(ctx, status(refusal.kind()), refusal.code(), refusal.getMessage(), refusal.field());
    } else if (failure instanceof RequestProblem problem) {
      send(ctx, problem.status(), problem.code(), problem.getMessage(), problem.field());
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      send(ctx, 500, "internal_error", "the request could not be completed", null);
    }
  }

  /** Answers {@code status} with an error body, unless the response has already ended. */
  public static void send(RoutingContext ctx, int status, String code, String message, String field) {
    if (ctx.response().ended()) {
      return;
    }
    if (status == 503 || status == 429) {
      ctx.response().putHeader("Retry-After", "1");
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", code).put("message", message).put("field", field).encode());
  }
}
