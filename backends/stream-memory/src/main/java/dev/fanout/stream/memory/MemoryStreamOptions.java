package dev.fanout.stream.memory;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of the in-memory backend, read once from the JSON configuration given to the provider.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code retention.records}</td><td>200000</td><td>records kept per partition</td></tr>
 *   <tr><td>{@code retention.bytes}</td><td>16777216</td><td>approximate bytes kept per partition</td></tr>
 *   <tr><td>{@code instance}</td><td>none: a private store</td><td>a name; every stream of this JVM opened
 *       with it shares one store of topics and groups, as clients of one broker do</td></tr>
 * </table>
 *
 * <p>The oldest records are dropped when either limit is reached. A group whose committed offset was
 * dropped follows its start position, and the fall back is counted in its description.
 */
record MemoryStreamOptions(long retentionRecords, long retentionBytes, String instance) {

  static final String RETENTION_RECORDS = "retention.records";
  static final String RETENTION_BYTES = "retention.bytes";
  static final String INSTANCE = "instance";
  static final long DEFAULT_RETENTION_RECORDS = 200_000;
  static final long DEFAULT_RETENTION_BYTES = 16L * 1024 * 1024;

  private static final Set<String> KEYS = Set.of(RETENTION_RECORDS, RETENTION_BYTES, INSTANCE);

  /** Reads and validates the settings; the exception's message names the bad setting. */
  static MemoryStreamOptions from(JsonObject config) {
    for (String key : config.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown memory backend setting '" + key + "'; known settings: "
            + String.join(", ", new TreeSet<>(KEYS)));
      }
    }
    return new MemoryStreamOptions(
        positiveLong(config, RETENTION_RECORDS, DEFAULT_RETENTION_RECORDS),
        positiveLong(config, RETENTION_BYTES, DEFAULT_RETENTION_BYTES),
        instance(config));
  }

  private static String instance(JsonObject config) {
    Object value = config.getValue(INSTANCE);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String name) || name.isBlank()) {
      throw new IllegalArgumentException("memory backend setting '" + INSTANCE + "' must be a non-blank name, was '"
          + value + "'");
    }
    return name;
  }

  private static long positiveLong(JsonObject config, String key, long defaultValue) {
    Object value = config.getValue(key, defaultValue);
    long parsed;
    try {
      parsed = value instanceof Number number ? number.longValue() : Long.parseLong(value.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("memory backend setting '" + key + "' must be a whole number, was '"
          + value + "'");
    }
    if (parsed < 1) {
      throw new IllegalArgumentException("memory backend setting '" + key + "' must be at least 1, was "
          + parsed);
    }
    return parsed;
  }
}
