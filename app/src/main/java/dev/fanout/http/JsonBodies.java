package dev.fanout.http;

import com.fasterxml.jackson.core.JsonParser;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a request body as one JSON object, strictly: nothing a client sent is silently altered or dropped.
 * Thrown as {@link RequestProblem}s, before anything is written:
 *
 * <ul>
 *   <li>a missing, empty or non-object body: 400 {@code malformed_json};</li>
 *   <li>a key given twice in one object ({@code {"authorId": "a", "authorId": "b"}}): 400
 *       {@code duplicate_field}, naming the key (a lenient parser keeps the last one);</li>
 *   <li>a string holding a lone UTF-16 surrogate ({@code "\ud800"}, which has no character and would be
 *       stored as {@code ?}): 400 {@code invalid_field}, naming the top-level key it is under;</li>
 *   <li>where the media type is required, anything but {@code application/json}: 415
 *       {@code unsupported_media_type}.</li>
 * </ul>
 */
public final class JsonBodies {

  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

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

  /** {@code text} as a JSON object; see the class comment for what is refused. */
  static JsonObject parse(String text) {
    JsonObject json;
    try {
      JsonParser parser = JacksonCodec.createParser(text);
      parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      @SuppressWarnings("unchecked")
      Map<String, Object> map = JacksonCodec.fromParser(parser, Map.class);
      json = new JsonObject(map);
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      Matcher duplicate = DUPLICATE.matcher(e.getCause() == null ? "" : String.valueOf(e.getCause().getMessage()));
      if (duplicate.find()) {
        throw new RequestProblem(400, "duplicate_field", "the key '" + duplicate.group(1)
            + "' appears twice in one object; send it once", duplicate.group(1));
      }
      // a body that is JSON but no object (an array, a number) is as malformed here
      throw new RequestProblem(400, "malformed_json", "the body is not a JSON object", null);
    }
    for (String key : json.fieldNames()) {
      if (holdsLoneSurrogate(key) || holdsLoneSurrogate(json.getValue(key))) {
        throw new RequestProblem(400, "invalid_field", key + " holds a lone UTF-16 surrogate (such as \\ud800), "
            + "which is no character; send valid Unicode text", key);
      }
    }
    return json;
  }

  private static boolean holdsLoneSurrogate(Object value) {
    if (value instanceof String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          return true;
        }
      }
      return false;
    }
    if (value instanceof JsonObject object) {
      return object.fieldNames().stream().anyMatch(k -> holdsLoneSurrogate(k) || holdsLoneSurrogate(object.getValue(k)));
    }
    if (value instanceof JsonArray array) {
      return array.stream().anyMatch(JsonBodies::holdsLoneSurrogate);
    }
    return false;
  }
}
