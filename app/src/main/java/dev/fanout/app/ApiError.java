package dev.fanout.app;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * An error answer of the API: an HTTP status and {@code {"error": code, "message": ..., "field": ...}}.
 * Thrown by validation and turned into the response by {@link #send}.
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final String code;
  private final String field;

  public ApiError(int status, String code, String message, String field) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
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
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(toJson().encode());
    }
  }

  /** Answers any failure: an ApiError as itself, anything else as a 500 that hides internals. */
  public static void sendFailure(RoutingContext ctx, Throwable failure) {
    if (failure instanceof ApiError error) {
      error.send(ctx);
    } else {
      new ApiError(500, "internal_error", "the request could not be completed", null).send(ctx);
    }
  }
}
