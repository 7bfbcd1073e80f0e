package dev.fanout.lab;

import dev.fanout.core.Refusal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The settings of a lab's plan, each declared once: its command-line flag ({@code --outage-seconds}), its
 * field in the HTTP API's JSON ({@code outageSeconds}), its default, its bounds and its meaning. The
 * command line ({@code fanout lab}) and the route ({@code POST /api/admin/lab/runs}) both read a plan here,
 * so they take the same values and refuse the same ones, naming the setting at fault.
 */
public final class LabSettings {

  /**
   * One setting of a plan; {@code min} and {@code max} bound a whole number ({@link #FAULTS} has none).
   *
   * @param flag  the command line's name, without {@code --}
   * @param field the JSON body's name
   */
  public record Setting(String flag, String field, String defaultValue, int min, int max, String meaning) {

    /** Its meaning, with its bounds when it is a number. */
    public String description() {
      return this == FAULTS ? meaning : meaning + ", " + min + " to " + max;
    }
  }

  public static final Setting PUBLISHES = new Setting("publishes", "publishes",
      Integer.toString(LabPlan.DEFAULT_PUBLISHES), 4, 1_000_000, "blogs each run publishes");
  public static final Setting FAULTS = new Setting("faults", "faults",
      String.join(",", LabFault.DEFAULTS.stream().map(LabFault::cliName).toList()), 0, 0,
      "faults to run, each through every design, comma-separated");
  public static final Setting RATE = new Setting("rate", "rate", "0", 0, 1_000_000,
      "publishes per second; 0: as fast as --concurrency writers go");
  public static final Setting CONCURRENCY = new Setting("concurrency", "concurrency", "16", 1, 1_000,
      "publishes in flight at most");
  public static final Setting OUTAGE_SECONDS = new Setting("outage-seconds", "outageSeconds", "5", 1, 600,
      "how long the search outage lasts");
  public static final Setting SETTLE_SECONDS = new Setting("settle-seconds", "settleSeconds", "60", 1, 3_600,
      "how long a run may take to become consistent after the workload before it is called never");

  /** Every setting, in the order the usage text lists them. */
  public static final List<Setting> ALL = List.of(PUBLISHES, FAULTS, RATE, CONCURRENCY, OUTAGE_SECONDS,
      SETTLE_SECONDS);

  /** Authors every lab's publishes are spread over. */
  static final int AUTHORS = 20;

  private LabSettings() {
  }

  /**
   * A plan from the command line's values, by flag; a setting not given takes its default. A bad value
   * throws an {@link IllegalArgumentException} whose message begins with {@code option --<flag>:}.
   */
  public static LabPlan fromFlags(Map<String, String> values) {
    BiFunction<Setting, String, RuntimeException> refuse =
        (setting, message) -> new IllegalArgumentException("option --" + setting.flag() + ": " + message);
    Map<Setting, Object> given = new LinkedHashMap<>();
    for (Setting setting : ALL) {
      String value = values.get(setting.flag());
      if (value == null) {
        continue;
      }
      String text = value.trim();
      if (setting == FAULTS) {
        given.put(setting, faults(setting, text, refuse));
      } else {
        try {
          given.put(setting, Long.parseLong(text));
        } catch (NumberFormatException e) {
          throw refuse.apply(setting, "'" + text + "' is not a whole number");
        }
      }
    }
    return plan(given, refuse);
  }

  /**
   * A plan from a request's JSON object, by field ({@code {"publishes": 40, "faults": ["none", "crash"]}};
   * {@code faults} may also be one comma-separated string); a field left out takes its default. Refused
   * with {@link Refusal#invalid} naming the field: an unknown field, a number that is not a whole JSON number
   * within its bounds (a string such as {@code "40"} included), an unknown fault.
   */
  public static LabPlan fromJson(JsonObject json) {
    BiFunction<Setting, String, RuntimeException> refuse =
        (setting, message) -> Refusal.invalid(setting.field(), setting.field() + ": " + message);
    for (String name : json.fieldNames()) {
      if (ALL.stream().noneMatch(s -> s.field().equals(name))) {
        throw Refusal.invalid(name, "unknown field '" + name + "'; a lab's plan has "
            + String.join(", ", ALL.stream().map(Setting::field).toList()));
      }
    }
    Map<Setting, Object> given = new LinkedHashMap<>();
    for (Setting setting : ALL) {
      if (!json.containsKey(setting.field())) {
        continue;
      }
      Object value = json.getValue(setting.field());
      if (setting == FAULTS) {
        given.put(setting, faults(setting, faultNames(setting, value, refuse), refuse));
      } else if (value instanceof Integer || value instanceof Long) {
        given.put(setting, ((Number) value).longValue());
      } else {
        throw refuse.apply(setting, "a whole number from " + setting.min() + " to " + setting.max()
            + " is expected, not " + (value instanceof String ? "the string '" + value + "'" : String.valueOf(value)));
      }
    }
    return plan(given, refuse);
  }

  // an array of names or one comma-separated string, as one comma-separated string
  private static String faultNames(Setting setting, Object value, BiFunction<Setting, String, RuntimeException> refuse) {
    if (value instanceof String text) {
      return text;
    }
    JsonArray array = value instanceof List<?> list ? new JsonArray(new ArrayList<>(list))
        : value instanceof JsonArray given ? given : null;
    if (array != null) {
      List<String> names = new ArrayList<>();
      for (Object name : array) {
        if (!(name instanceof String text) || text.contains(",")) {
          throw refuse.apply(setting, "each fault is a name such as \"crash\", not " + name);
        }
        names.add(text);
      }
      return String.join(",", names);
    }
    throw refuse.apply(setting, "a list of fault names (or one comma-separated string) is expected, not " + value);
  }

  private static List<LabFault> faults(Setting setting, String names, BiFunction<Setting, String, RuntimeException> refuse) {
    try {
      return LabFault.parseList(names);
    } catch (IllegalArgumentException e) {
      throw refuse.apply(setting, e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static LabPlan plan(Map<Setting, Object> given, BiFunction<Setting, String, RuntimeException> refuse) {
    List<LabFault> faults = given.containsKey(FAULTS) ? (List<LabFault>) given.get(FAULTS)
        : LabFault.parseList(FAULTS.defaultValue());
    return new LabPlan(number(PUBLISHES, given, refuse), faults, List.of(Design.values()),
        number(RATE, given, refuse), number(CONCURRENCY, given, refuse), AUTHORS,
        number(OUTAGE_SECONDS, given, refuse), number(SETTLE_SECONDS, given, refuse));
  }

  private static int number(Setting setting, Map<Setting, Object> given,
                            BiFunction<Setting, String, RuntimeException> refuse) {
    long value = given.containsKey(setting) ? (Long) given.get(setting) : Long.parseLong(setting.defaultValue());
    if (value < setting.min() || value > setting.max()) {
      throw refuse.apply(setting, value + " is outside " + setting.min() + ".." + setting.max());
    }
    return (int) value;
  }
}
