package dev.fanout.app;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/**
 * An error answer of the API: an HTTP status and {@code {"error": code, "message": ..., "field": ...}}.
 * Thrown by validation and turned into the response by {@link #send}. A 503 or 429 also carries
 * {@code Retry-After} (1 s unless told otherwise).
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final String code;
  private final String field;
  private final long retryAfterSeconds;

  public ApiError(int status, String code, String message, String field) {
    this(status, code, message, field, status == 503 || status == 429 ? 1 : 0);
  }

  private ApiError(int status, String code, String message, String field, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The same error telling the client when to try again ({@code Retry-After}, whole seconds, at least 1). */
  public ApiError retryAfter(long seconds) {
    return new ApiError(status, code, getMessage(), field, Math.max(1, seconds));
  }

  public static ApiError invalid(String field, String message) {
    return new ApiError(400, "invalid_field", message, field);
  }

  public static ApiError notFound(String what) {
    return new ApiError(404, "not_found", what + " not found", null);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }

  public JsonObject toJson() {
    return new JsonObject().put("error", code).put("message", getMessage()).put("field", field);
  }

  public void send(RoutingContext ctx) {
    if (!ctx.response().ended()) {
      if (retryAfterSeconds > 0) {
        ctx.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
      }
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(toJson().encode());
    }
  }

  /**
   * Runs {@code action} and answers with its JSON and {@code status}, or with the failure as JSON; an
   * ApiError thrown by the action itself (validation) is answered the same way.
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
        .onFailure(e -> sendFailure(ctx, e));
  }

  /** Answers any failure: an ApiError as itself, anything else as a 500 that hides internals. */
  public static void sendFailure(RoutingContext ctx, Throwable failure) {
    if (failure instanceof ApiError error) {
      error.send(ctx);
    } else {
      new ApiError(500, "internal_error", "the request could not be completed", null).send(ctx);
    }
  }

  /** The request body as a JSON object, or a 400 {@code malformed_json} naming what is wrong. */
  public static JsonObject jsonBody(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
      throw new ApiError(400, "malformed_json", "the body is empty; a JSON object is expected", null);
    }
    try {
      return new JsonObject(ctx.body().asString("UTF-8"));
    } catch (DecodeException | ClassCastException e) {
      throw new ApiError(400, "malformed_json", "the body is not a JSON object", null);
    }
  }
}
