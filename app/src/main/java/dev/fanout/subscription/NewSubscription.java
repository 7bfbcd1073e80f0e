package dev.fanout.subscription;

import dev.fanout.core.Refusal;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request to create a subscription, checked field by field: each bad field is refused with
 * {@code invalid_field} naming it, before anything is written.
 *
 * @param startTimestamp epoch milliseconds, with {@link Subscription.StartFrom#TIMESTAMP} only; else null
 */
public record NewSubscription(String name, String url, Subscription.StartFrom startFrom, Long startTimestamp,
                              int maxInFlight, int timeoutMs) {

  public static final int DEFAULT_MAX_IN_FLIGHT = 64;
  public static final int MAX_IN_FLIGHT = 1_000;
  public static final int DEFAULT_TIMEOUT_MS = 5_000;
  public static final int MIN_TIMEOUT_MS = 100;
  public static final int MAX_TIMEOUT_MS = 60_000;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,47}");
  private static final Set<String> FIELDS = Set.of("name", "url", "startFrom", "timestamp", "maxInFlight",
      "timeoutMs");

  /** Reads and checks a request body. */
  public static NewSubscription parse(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw Refusal.invalid(field, field + ": unknown field; known: name, url, startFrom, timestamp, "
            + "maxInFlight, timeoutMs");
      }
    }
    if (!(body.getValue("name") instanceof String name) || !NAME.matcher(name).matches()) {
      throw Refusal.invalid("name", "name: 1 to 48 of a-z, 0-9 and '-', starting with a letter or digit");
    }
    if (!(body.getValue("url") instanceof String url)) {
      throw Refusal.invalid("url", "url: an absolute http or https URL is required");
    }
    checkUrl(url);
    Object start = body.getValue("startFrom", "latest");
    Subscription.StartFrom startFrom = start instanceof String text ? Subscription.StartFrom.of(text) : null;
    if (startFrom == null) {
      throw Refusal.invalid("startFrom", "startFrom: one of \"latest\", \"earliest\", \"timestamp\", \"snapshot\"");
    }
    Long timestamp = null;
    if (startFrom == Subscription.StartFrom.TIMESTAMP) {
      if (!(body.getValue("timestamp") instanceof Number ts) || ts.longValue() < 0
          || ts.doubleValue() != Math.floor(ts.doubleValue())) {
        throw Refusal.invalid("timestamp",
            "timestamp: milliseconds since the epoch are required with \"startFrom\": \"timestamp\"");
      }
      timestamp = ts.longValue();
    } else if (body.getValue("timestamp") != null) {
      throw Refusal.invalid("timestamp", "timestamp: only with \"startFrom\": \"timestamp\"");
    }
    int maxInFlight = whole(body, "maxInFlight", DEFAULT_MAX_IN_FLIGHT, 1, MAX_IN_FLIGHT);
    int timeoutMs = whole(body, "timeoutMs", DEFAULT_TIMEOUT_MS, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS);
    return new NewSubscription(name, url, startFrom, timestamp, maxInFlight, timeoutMs);
  }

  /**
   * Refuses (field {@code url}) anything {@link DestinationPolicy#parse} refuses (not absolute, not http or
   * https, no host), and credentials in the URL.
   */
  static void checkUrl(String url) {
    java.net.URL parsed;
    try {
      parsed = DestinationPolicy.parse(url);
    } catch (IllegalArgumentException e) {
      throw Refusal.invalid("url", "url: " + e.getMessage());
    }
    if (parsed.getUserInfo() != null) {
      throw Refusal.invalid("url", "url: credentials in the URL are not accepted; the signature authenticates Fanout");
    }
  }

  private static int whole(JsonObject body, String field, int fallback, int min, int max) {
    Object value = body.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue())
        || n.doubleValue() < min || n.doubleValue() > max) {
      throw Refusal.invalid(field, field + ": a whole number from " + min + " to " + max);
    }
    return n.intValue();
  }
}
