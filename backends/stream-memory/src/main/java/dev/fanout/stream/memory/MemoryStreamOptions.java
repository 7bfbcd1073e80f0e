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
 *   <tr><td>{@code retention.heap.share}</td><td>0.25</td><td>the share of the maximum heap ({@code -Xmx}) that
 *       every partition of every in-memory stream of the JVM keeps together, split evenly over them (see
 *       {@link HeapBudget}); more than 0, at most 0.5</td></tr>
 *   <tr><td>{@code retention.bytes}</td><td>none: the heap share</td><td>approximate bytes kept per partition,
 *       fixed; refused when it, times the stream's partitions, exceeds half the maximum heap</td></tr>
 *   <tr><td>{@code instance}</td><td>none: a private store</td><td>a name; every stream of this JVM opened
 *       with it shares one store of topics and groups, as clients of one broker do</td></tr>
 * </table>
 *
 * <p>The oldest records are dropped when either limit is reached. A group whose committed offset was
 * dropped follows its start position, and the fall back is counted in its description.
 */
record MemoryStreamOptions(long retentionRecords, Long retentionBytes, double heapShare, String instance) {

  static final String RETENTION_RECORDS = "retention.records";
  static final String RETENTION_BYTES = "retention.bytes";
  static final String HEAP_SHARE = "retention.heap.share";
  static final String INSTANCE = "instance";
  static final long DEFAULT_RETENTION_RECORDS = 200_000;
  static final double DEFAULT_HEAP_SHARE = 0.25;
  /** The most of the maximum heap retention may take: the rest is the app's. */
  static final double MAX_HEAP_SHARE = 0.5;

  private static final Set<String> KEYS = Set.of(RETENTION_RECORDS, RETENTION_BYTES, HEAP_SHARE, INSTANCE);

  /** Reads and validates the settings; the exception's message names the bad setting. */
  static MemoryStreamOptions from(JsonObject config) {
    for (String key : config.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown memory backend setting '" + key + "'; known settings: "
            + String.join(", ", new TreeSet<>(KEYS)));
      }
    }
    Long bytes = config.getValue(RETENTION_BYTES) == null ? null : positiveLong(config, RETENTION_BYTES, 1);
    MemoryStreamOptions options = new MemoryStreamOptions(
        positiveLong(config, RETENTION_RECORDS, DEFAULT_RETENTION_RECORDS), bytes, heapShare(config),
        instance(config));
    options.requireFits(1);
    return options;
  }

  /**
   * Throws, naming {@value #RETENTION_BYTES}, when a fixed byte retention on {@code partitions} partitions
   * could keep more than {@value #MAX_HEAP_SHARE} of the maximum heap. Under the heap share everything fits.
   */
  void requireFits(int partitions) {
    long maxHeap = Runtime.getRuntime().maxMemory();
    if (retentionBytes != null && (double) retentionBytes * partitions > MAX_HEAP_SHARE * maxHeap) {
      throw new IllegalArgumentException("memory backend setting '" + RETENTION_BYTES + "' (" + retentionBytes
          + " bytes per partition) cannot fit: " + partitions + " partitions would keep up to "
          + retentionBytes * partitions + " bytes, more than " + MAX_HEAP_SHARE + " of the maximum heap ("
          + maxHeap + " bytes, -Xmx); lower it, or leave it unset so that retention follows the heap ("
          + HEAP_SHARE + ")");
    }
  }

  private static double heapShare(JsonObject config) {
    Object value = config.getValue(HEAP_SHARE, DEFAULT_HEAP_SHARE);
    double share;
    try {
      share = value instanceof Number number ? number.doubleValue() : Double.parseDouble(value.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("memory backend setting '" + HEAP_SHARE + "' must be a number, was '"
          + value + "'");
    }
    if (!(share > 0 && share <= MAX_HEAP_SHARE)) {
      throw new IllegalArgumentException("memory backend setting '" + HEAP_SHARE + "' must be more than 0 and at most "
          + MAX_HEAP_SHARE + ", was " + value);
    }
    return share;
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
