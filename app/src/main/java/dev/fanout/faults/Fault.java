package dev.fanout.faults;

import dev.fanout.core.Refusal;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One injected fault on a sink: a full outage, a failure rate, or added latency, for a number of seconds
 * or until cleared.
 *
 * @param sink    the group whose sink it hits, such as "search" (the search engine) or "counter" (its database
 *                writes)
 * @param mode    outage, fail or latency
 * @param rate    fail: the share of calls that fail, in (0, 1]
 * @param millis  latency: the delay added to each call
 * @param until   when it ends by itself; null for a fault that lasts until cleared (outage always ends)
 */
public record Fault(String sink, Mode mode, double rate, long millis, Instant until) {

  public enum Mode { OUTAGE, FAIL, LATENCY }

  static final long MAX_SECONDS = 3600;
  static final long MAX_MILLIS = 60_000;

  /**
   * Reads a fault from its JSON, such as {@code {"sink": "search", "mode": "outage", "seconds": 30}};
   * an invalid one is an {@link Refusal.Kind#INVALID} refusal naming the field, its message "field: why".
   *
   * @param sinks the sinks faults can be injected into, named after the groups that write to them
   */
  public static Fault fromJson(JsonObject json, Instant now, Set<String> sinks) {
    String sink = string(json, "sink");
    if (!sinks.contains(sink)) {
      throw invalid("sink", "unknown sink '" + sink + "'; known sinks: " + String.join(", ", new TreeSet<>(sinks)));
    }
    Mode mode;
    try {
      mode = Mode.valueOf(string(json, "mode").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | Refusal e) {
      // a missing mode is as unknown as a misspelt one
      throw invalid("mode", "unknown mode '" + json.getValue("mode") + "'; known modes: outage, fail, latency");
    }
    Long seconds = number(json, "seconds", 1, MAX_SECONDS);
    if (mode == Mode.OUTAGE && seconds == null) {
      throw invalid("seconds", "an outage needs its length in seconds, 1 to " + MAX_SECONDS);
    }
    Instant until = seconds == null ? null : now.plusSeconds(seconds);
    return switch (mode) {
      case OUTAGE -> new Fault(sink, mode, 1.0, 0, until);
      case FAIL -> {
        Object rate = json.getValue("rate");
        if (!(rate instanceof Number n) || !(n.doubleValue() > 0 && n.doubleValue() <= 1)) {
          throw invalid("rate", "a failure rate must be a number above 0 and at most 1");
        }
        yield new Fault(sink, mode, n.doubleValue(), 0, until);
      }
      case LATENCY -> {
        Long millis = number(json, "millis", 1, MAX_MILLIS);
        if (millis == null) {
          throw invalid("millis", "added latency needs millis, 1 to " + MAX_MILLIS);
        }
        yield new Fault(sink, mode, 0, millis, until);
      }
    };
  }

  boolean activeAt(Instant now) {
    return until == null || now.isBefore(until);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("sink", sink).put("mode", mode.name().toLowerCase(Locale.ROOT));
    switch (mode) {
      case FAIL -> json.put("rate", rate);
      case LATENCY -> json.put("millis", millis);
      default -> { }
    }
    return json.put("until", until == null ? null : until.toString());
  }

  private static String string(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) {
      throw invalid(field, "a string is required");
    }
    return s;
  }

  private static Long number(JsonObject json, String field, long min, long max) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.longValue() < min || n.longValue() > max) {
      throw invalid(field, "a whole number from " + min + " to " + max + " is required");
    }
    return n.longValue();
  }

  private static Refusal invalid(String field, String why) {
    return Refusal.invalid(field, field + ": " + why);
  }
}
