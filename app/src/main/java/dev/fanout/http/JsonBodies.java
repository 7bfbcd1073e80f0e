package dev.fanout.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Reads a request body as one JSON object. A missing, empty or non-object body is a 400
 * {@code malformed_json}; where the media type is required, anything but {@code application/json} is a
 * 415 {@code unsupported_media_type}. Both are thrown as {@link RequestProblem}s before anything is
 * written.
 */
public final class JsonBodies {

  private JsonBodies() {
  }

  /** The body as a JSON object, whatever its declared media type. */
  public static JsonObject object(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
      throw new RequestProblem(400, "malformed_json", "the body is empty; a JSON object is expected", null);
    }
    return parse(ctx.body().asString("UTF-8"));
  }

  /** The body as a JSON object, sent as {@code application/json}. */
  public static JsonObject declaredObject(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      throw new RequestProblem(415, "unsupported_media_type", "the body must be application/json", "Content-Type");
    }
    return object(ctx);
  }

  // a body that is JSON but no object (an array, a number) is as malformed here
  private static JsonObject parse(String text) {
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      throw new RequestProblem(400, "malformed_json", "the body is not a JSON object", null);
    }
  }
}
