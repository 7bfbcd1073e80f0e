package dev.fanout.stream.kafka;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Kafka backend's settings, parsed and validated once when the stream opens. Every setting is
 * declared in {@link Setting} with its name, type, default and meaning; the module's README lists the
 * same table. An unknown or malformed setting fails with an {@link IllegalArgumentException} naming it.
 *
 * @param bootstrapServers {@code host:port} pairs of the cluster, comma separated
 * @param clientIdPrefix   the start of every client id this stream creates (producer, admin, members)
 * @param pollTimeout      the longest one consumer poll waits; bounds the delay of commits and leave
 * @param requestTimeout   how long admin calls and the connection check on open may take
 * @param bufferedBatches  how many batches a member buffers per partition before pausing its fetch
 * @param revocationWait   how long batches in flight on revoked partitions may finish before abandoned
 * @param subscribeTimeout how long {@code subscribe} waits for the new member's first assignment
 * @param producer         extra native producer settings
 * @param consumer         extra native consumer settings
 * @param admin            extra native admin client settings
 */
public record KafkaStreamOptions(String bootstrapServers, String clientIdPrefix, Duration pollTimeout,
                                 Duration requestTimeout, int bufferedBatches, Duration revocationWait,
                                 Duration subscribeTimeout, Map<String, String> producer,
                                 Map<String, String> consumer, Map<String, String> admin) {

  /** Every setting the backend reads from its JSON configuration. */
  public enum Setting {
    BOOTSTRAP_SERVERS("bootstrap.servers", "string", null,
        "host:port pairs of the Kafka cluster, comma separated; required"),
    CLIENT_ID_PREFIX("client.id.prefix", "string", "fanout",
        "prefix of the client ids of the producer, the admin client and every group member"),
    POLL_TIMEOUT_MS("poll.timeout.ms", "integer 1..10000", "100",
        "longest wait of one consumer poll; commits and leave wait at most this long"),
    REQUEST_TIMEOUT_MS("request.timeout.ms", "integer 100..600000", "30000",
        "timeout of admin calls and of the connection check when the stream opens"),
    BUFFERED_BATCHES("buffered.batches", "integer 1..100", "2",
        "batches buffered per partition before the member pauses fetching it (backpressure)"),
    REVOCATION_WAIT_MS("revocation.wait.ms", "integer 0..300000", "10000",
        "how long a member lets its batches in flight on revoked partitions finish and commit before"
            + " it abandons them to the next owner; the rebalance waits that long at most"),
    SUBSCRIBE_TIMEOUT_MS("subscribe.timeout.ms", "integer 100..600000", "60000",
        "how long subscribe waits for the new member's first assignment; past it the member leaves the group"
            + " and subscribe fails with a TimeoutException"),
    PRODUCER("producer", "object of strings", "{}",
        "extra Kafka producer settings; acks, idempotence and serializers are fixed"),
    CONSUMER("consumer", "object of strings", "{}",
        "extra Kafka consumer settings; group, commit and deserializer settings are fixed"),
    ADMIN("admin", "object of strings", "{}", "extra Kafka admin client settings");

    private final String key;
    private final String type;
    private final String defaultValue;
    private final String description;

    Setting(String key, String type, String defaultValue, String description) {
      this.key = key;
      this.type = type;
      this.defaultValue = defaultValue;
      this.description = description;
    }

    public String key() {
      return key;
    }

    public String type() {
      return type;
    }

    /** The default as written in the configuration, {@code null} for a required setting. */
    public String defaultValue() {
      return defaultValue;
    }

    public String description() {
      return description;
    }
  }

  /** Native settings the backend owns: its delivery guarantees depend on them. */
  static final Set<String> FIXED_PRODUCER = Set.of("acks", "enable.idempotence", "key.serializer",
      "value.serializer", "transactional.id");
  static final Set<String> FIXED_CONSUMER = Set.of("group.id", "enable.auto.commit", "auto.offset.reset",
      "key.deserializer", "value.deserializer", "client.id", "group.instance.id");

  public KafkaStreamOptions {
    producer = Map.copyOf(producer);
    consumer = Map.copyOf(consumer);
    admin = Map.copyOf(admin);
  }

  /** Options with defaults for everything but the bootstrap servers. */
  public static KafkaStreamOptions of(String bootstrapServers) {
    return fromJson(new JsonObject().put(Setting.BOOTSTRAP_SERVERS.key(), bootstrapServers));
  }

  /**
   * Parses and validates {@code json}.
   *
   * @throws IllegalArgumentException naming the first bad or unknown setting
   */
  public static KafkaStreamOptions fromJson(JsonObject json) {
    JsonObject config = json == null ? new JsonObject() : json;
    Set<String> known = Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.toSet());
    for (String name : config.fieldNames()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown Kafka stream setting '" + name + "'; known settings: "
            + Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.joining(", ")));
      }
    }
    String bootstrap = string(config, Setting.BOOTSTRAP_SERVERS);
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("setting '" + Setting.BOOTSTRAP_SERVERS.key()
          + "' is required: the host:port pairs of the Kafka cluster");
    }
    for (String server : bootstrap.split(",")) {
      if (!server.trim().matches("[^:\\s]+:\\d{1,5}")) {
        throw new IllegalArgumentException("setting '" + Setting.BOOTSTRAP_SERVERS.key()
            + "' must be host:port pairs separated by commas, was '" + bootstrap + "'");
      }
    }
    String prefix = string(config, Setting.CLIENT_ID_PREFIX);
    if (prefix.isBlank() || !prefix.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("setting '" + Setting.CLIENT_ID_PREFIX.key()
          + "' must be letters, digits, '.', '_' or '-', was '" + prefix + "'");
    }
    return new KafkaStreamOptions(
        bootstrap.trim(),
        prefix,
        Duration.ofMillis(number(config, Setting.POLL_TIMEOUT_MS, 1, 10_000)),
        Duration.ofMillis(number(config, Setting.REQUEST_TIMEOUT_MS, 100, 600_000)),
        (int) number(config, Setting.BUFFERED_BATCHES, 1, 100),
        Duration.ofMillis(number(config, Setting.REVOCATION_WAIT_MS, 0, 300_000)),
        Duration.ofMillis(number(config, Setting.SUBSCRIBE_TIMEOUT_MS, 100, 600_000)),
        clientSettings(config, Setting.PRODUCER, FIXED_PRODUCER),
        clientSettings(config, Setting.CONSUMER, FIXED_CONSUMER),
        clientSettings(config, Setting.ADMIN, Set.of()));
  }

  /** Native producer settings: idempotent, acknowledged by all in-sync replicas. */
  java.util.Properties producerProperties() {
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("client.id", clientIdPrefix + "-producer");
    props.putAll(producer);
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    return props;
  }

  /**
   * Native consumer settings of one group member: manual commits only, cooperative rebalancing, the
   * member id as client id so that Kafka's group description names members as this backend does.
   */
  java.util.Properties consumerProperties(String group, String memberId, dev.fanout.stream.StartPosition start) {
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("partition.assignment.strategy",
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    props.put("session.timeout.ms", "10000");
    props.put("heartbeat.interval.ms", "1000");
    props.putAll(consumer);
    props.put("group.id", group);
    props.put("client.id", memberId);
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", start == dev.fanout.stream.StartPosition.EARLIEST ? "earliest" : "latest");
    props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    return props;
  }

  /** Native admin client settings. */
  java.util.Properties adminProperties() {
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("client.id", clientIdPrefix + "-admin");
    props.put("default.api.timeout.ms", Long.toString(requestTimeout.toMillis()));
    props.put("request.timeout.ms", Long.toString(Math.min(requestTimeout.toMillis(), 30_000)));
    props.putAll(admin);
    return props;
  }

  private static String string(JsonObject config, Setting setting) {
    Object value = config.getValue(setting.key());
    if (value == null) {
      return setting.defaultValue();
    }
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException("setting '" + setting.key() + "' must be a string, was " + value);
    }
    return s;
  }

  private static long number(JsonObject config, Setting setting, long min, long max) {
    Object value = config.getValue(setting.key());
    long parsed;
    if (value == null) {
      parsed = Long.parseLong(setting.defaultValue());
    } else if (value instanceof Number n && n.doubleValue() == n.longValue()) {
      parsed = n.longValue();
    } else if (value instanceof String s && s.trim().matches("-?\\d+")) {
      parsed = Long.parseLong(s.trim());
    } else {
      throw new IllegalArgumentException("setting '" + setting.key() + "' must be an integer, was " + value);
    }
    if (parsed < min || parsed > max) {
      throw new IllegalArgumentException("setting '" + setting.key() + "' must be between " + min + " and "
          + max + ", was " + parsed);
    }
    return parsed;
  }

  private static Map<String, String> clientSettings(JsonObject config, Setting setting, Set<String> fixed) {
    Object value = config.getValue(setting.key());
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException("setting '" + setting.key() + "' must be an object, was " + value);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : object) {
      String name = setting.key() + "." + entry.getKey();
      if (fixed.contains(entry.getKey()) || "bootstrap.servers".equals(entry.getKey())) {
        throw new IllegalArgumentException("setting '" + name + "' is fixed by the Kafka backend");
      }
      Object v = entry.getValue();
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        throw new IllegalArgumentException("setting '" + name + "' must be a string, number or boolean");
      }
      settings.put(entry.getKey(), v.toString());
    }
    return settings;
  }
}
