package dev.fanout.app;

import dev.fanout.consumer.ResiliencePolicy;
import dev.fanout.stream.StreamBackends;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The application's settings, each given as a CLI flag ({@code --port 8080} or {@code --port=8080}) or
 * as an environment variable ({@code FANOUT_PORT}); the flag wins. Parsed and validated once at start: a
 * bad value fails with a message that names the option.
 *
 * @param port              HTTP port of the API and dashboard; 0 picks a free one
 * @param host              address the HTTP server binds to
 * @param dataDir           where embedded servers keep their data
 * @param backend           stream backend name
 * @param kafkaBootstrap    Kafka servers, or null to start an embedded broker under the data dir
 * @param pgUrl             an external PostgreSQL, or null for the embedded one under the data dir
 * @param partitions        partitions of the blog events topic
 * @param consumersPerGroup members each consumer group gets in this process
 * @param search            search engine: lucene or opensearch
 * @param opensearchUrl     OpenSearch's base URL, required with opensearch
 * @param adminToken        the Bearer token of /api/admin/; null to generate one at start
 * @param resilience        retries and circuit breaking of each group's sink
 * @param publishRateLimit  writes to /api/blogs per second per client address; 0 for no limit
 * @param corsOrigins       origins allowed to call the API from a browser; empty: CORS closed
 * @param replicationFactor copies of each topic partition the stream keeps (Kafka); 1 for the memory backend
 * @param luceneRefreshMillis the least time between two reopens of the Lucene reader; 0: reopen as soon as
 *                          a batch is written
 * @param opensearchRefreshMillis the least time between two refresh requests to OpenSearch; 0: right after
 *                          the previous one
 * @param liveMaxConnections live dashboard connections ({@code /api/live}) this process keeps open at most
 * @param outboxKeepMinutes how long a sent event stays in the outbox at least, before pruning may take it
 * @param idempotencyKeepHours how long an Idempotency-Key answers its retries
 * @param auth              who may write: author tokens (minted here or from an identity provider) or none
 */
public record FanoutOptions(int port, String host, Path dataDir, String backend, String kafkaBootstrap,
                            String pgUrl, int partitions, int consumersPerGroup, String search,
                            String opensearchUrl, String adminToken, ResiliencePolicy resilience,
                            int publishRateLimit, List<String> corsOrigins, int replicationFactor,
                            int luceneRefreshMillis, int opensearchRefreshMillis, int liveMaxConnections,
                            int outboxKeepMinutes, int idempotencyKeepHours, Auth auth) {

  /**
   * How writes are authenticated.
   *
   * @param tokens             true: writes need an author token; false ({@code --auth none}): no check
   * @param jwksUrl            the identity provider's JWKS; null: tokens are minted here
   * @param issuer             the {@code iss} a provider's tokens must carry; null: not checked
   * @param audience           an {@code aud} a provider's tokens must carry; null: not checked
   * @param jwksRefreshSeconds how often the provider's keys are fetched again
   * @param keyFile            the signing key of the tokens minted here
   */
  public record Auth(boolean tokens, String jwksUrl, String issuer, String audience, int jwksRefreshSeconds,
                     Path keyFile) {
  }

  /** One option: its flag, environment variable, default and meaning, as the README's table lists them. */
  record Option(String flag, String defaultValue, String description) {
    String env() {
      return "FANOUT_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }
  }

  static final List<Option> OPTIONS = List.of(
      new Option("port", "8080", "HTTP port of the API and the dashboard (0 picks a free port)"),
      new Option("host", "127.0.0.1", "address the HTTP server listens on"),
      new Option("data-dir", "./data", "where the embedded PostgreSQL (pg/) and Kafka (kafka/) keep their data"),
      new Option("backend", "memory", "stream backend: memory (embedded default) or kafka"),
      new Option("kafka-bootstrap", "", "Kafka bootstrap servers host:port,...; empty starts an embedded broker"),
      new Option("pg-url", "", "external PostgreSQL as postgresql://user:password@host:port/db; empty: embedded"),
      new Option("partitions", "12", "partitions of the blog events topic, 1 to 1024"),
      new Option("replication-factor", "1", "copies of each partition the Kafka brokers keep (topics the app creates), 1 to 16"),
      new Option("consumers-per-group", "1", "members of each consumer group in this process, 1 to 64"),
      new Option("search", "lucene", "search engine: lucene (embedded index under the data dir) or opensearch"),
      new Option("lucene-refresh-ms", "20", "Lucene: least time between index reader reopens (searchable within about this), 0 to 10000"),
      new Option("opensearch-url", "", "OpenSearch base URL such as http://127.0.0.1:9200; needed with opensearch"),
      new Option("opensearch-refresh-ms", "200", "OpenSearch: least time between refresh requests (searchable within about this), 0 to 10000"),
      new Option("admin-token", "", "Bearer token for /api/admin/ (at least 16 characters); empty: a random one, printed at start"),
      new Option("retry-attempts", "5", "tries of a sink call before a batch is given back (or an event dead-lettered), 1 to 100"),
      new Option("retry-backoff-ms", "100", "wait before the first retry, doubled per retry with jitter, 1 to 60000"),
      new Option("breaker-wait-ms", "5000", "how long a sink's open circuit waits before a probe, 100 to 600000"),
      new Option("publish-rate-limit", "2000", "writes to /api/blogs per second per client address (429 beyond); 0: no limit"),
      new Option("cors-origins", "", "origins allowed to call the API from browsers, comma-separated; empty: CORS closed"),
      new Option("live-max-connections", "100", "live dashboard connections (/api/live) open at once, 503 beyond; 1 to 10000"),
      new Option("outbox-keep-minutes", "60", "least time a sent event stays in the outbox (pruned later, once no redelivery can reach it), 0 to 10080"),
      new Option("idempotency-keep-hours", "24", "how long an Idempotency-Key answers its retries (then pruned; a later retry is a new publish), 1 to 8760"),
      new Option("auth", "tokens", "writes need an author token (tokens), or nothing (none: only behind a gateway that authenticates)"),
      new Option("jwt-jwks-url", "", "an identity provider's JWKS URL: its tokens are accepted (RS256, ES256); empty: tokens are minted here"),
      new Option("jwt-issuer", "", "with --jwt-jwks-url: the iss the provider's tokens must carry; empty: not checked"),
      new Option("jwt-audience", "", "with --jwt-jwks-url: an aud the provider's tokens must carry; empty: not checked"),
      new Option("jwt-jwks-refresh-seconds", "300", "with --jwt-jwks-url: how often its keys are fetched again, 1 to 86400"),
      new Option("jwt-key-file", "", "signing key of the tokens minted here (created if missing); empty: <data-dir>/auth/author-signing.key"));

  /** Parses flags and environment; {@code --help} is handled by the caller. */
  public static FanoutOptions parse(String[] args, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Option option : OPTIONS) {
      String fromEnv = env.get(option.env());
      values.put(option.flag(), fromEnv != null ? fromEnv : option.defaultValue());
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("option --" + name + " needs a value");
      }
      if (!values.containsKey(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; known options: "
            + String.join(", ", OPTIONS.stream().map(o -> "--" + o.flag()).toList()));
      }
      values.put(name, value);
    }
    Path dataDir = parse(values, "data-dir", v -> Path.of(nonBlank(v)).toAbsolutePath().normalize());
    Auth auth = new Auth(
        parse(values, "auth", FanoutOptions::authMode),
        parse(values, "jwt-jwks-url", FanoutOptions::httpUrl),
        parse(values, "jwt-issuer", FanoutOptions::emptyIsNull),
        parse(values, "jwt-audience", FanoutOptions::emptyIsNull),
        parse(values, "jwt-jwks-refresh-seconds", v -> intInRange(v, 1, 86_400)),
        parse(values, "jwt-key-file", v -> v.isEmpty() ? dataDir.resolve("auth").resolve("author-signing.key")
            : Path.of(v).toAbsolutePath().normalize()));
    if (!auth.tokens() && auth.jwksUrl() != null) {
      throw new IllegalArgumentException("option --jwt-jwks-url needs --auth tokens (it is --auth none)");
    }
    if (auth.jwksUrl() == null && (auth.issuer() != null || auth.audience() != null)) {
      throw new IllegalArgumentException("options --jwt-issuer and --jwt-audience check a provider's tokens: "
          + "they need --jwt-jwks-url");
    }
    FanoutOptions options = new FanoutOptions(
        parse(values, "port", v -> intInRange(v, 0, 65535)),
        parse(values, "host", FanoutOptions::nonBlank),
        dataDir,
        parse(values, "backend", FanoutOptions::backend),
        parse(values, "kafka-bootstrap", FanoutOptions::bootstrap),
        parse(values, "pg-url", FanoutOptions::pgUrl),
        parse(values, "partitions", v -> intInRange(v, 1, 1024)),
        parse(values, "consumers-per-group", v -> intInRange(v, 1, 64)),
        parse(values, "search", FanoutOptions::searchEngine),
        parse(values, "opensearch-url", FanoutOptions::httpUrl),
        parse(values, "admin-token", FanoutOptions::adminToken),
        new ResiliencePolicy(
            parse(values, "retry-attempts", v -> intInRange(v, 1, 100)),
            parse(values, "retry-backoff-ms", v -> intInRange(v, 1, 60_000)),
            parse(values, "breaker-wait-ms", v -> intInRange(v, 100, 600_000))),
        parse(values, "publish-rate-limit", v -> intInRange(v, 0, 1_000_000)),
        parse(values, "cors-origins", FanoutOptions::origins),
        parse(values, "replication-factor", v -> intInRange(v, 1, 16)),
        parse(values, "lucene-refresh-ms", v -> intInRange(v, 0, 10_000)),
        parse(values, "opensearch-refresh-ms", v -> intInRange(v, 0, 10_000)),
        parse(values, "live-max-connections", v -> intInRange(v, 1, 10_000)),
        parse(values, "outbox-keep-minutes", v -> intInRange(v, 0, 10_080)),
        parse(values, "idempotency-keep-hours", v -> intInRange(v, 1, 8_760)),
        auth);
    if (options.search().equals("opensearch") && options.opensearchUrl() == null) {
      throw new IllegalArgumentException("option --opensearch-url is required with --search opensearch");
    }
    return options;
  }

  /** The usage text printed by {@code --help} and after a bad option. */
  public static String usage() {
    List<String> lines = new ArrayList<>();
    lines.add("usage: java -jar app/target/fanout.jar [options]");
    for (Option option : OPTIONS) {
      lines.add(String.format("  --%-22s %-10s %s (env %s)", option.flag(), option.defaultValue(),
          option.description(), option.env()));
    }
    return String.join(System.lineSeparator(), lines);
  }

  private static <T> T parse(Map<String, String> values, String flag, Function<String, T> parser) {
    String value = values.get(flag);
    try {
      return parser.apply(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("option --" + flag + ": " + e.getMessage(), e);
    }
  }

  private static int intInRange(String value, int min, int max) {
    int parsed;
    try {
      parsed = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a whole number");
    }
    if (parsed < min || parsed > max) {
      throw new IllegalArgumentException(parsed + " is outside " + min + ".." + max);
    }
    return parsed;
  }

  private static String backend(String value) {
    String name = nonBlank(value).toLowerCase(Locale.ROOT);
    List<String> known = StreamBackends.names();
    if (!known.contains(name)) {
      throw new IllegalArgumentException("unknown backend '" + value + "'; known backends: " + String.join(", ", known));
    }
    return name;
  }

  private static String searchEngine(String value) {
    String name = nonBlank(value).toLowerCase(Locale.ROOT);
    if (!name.equals("lucene") && !name.equals("opensearch")) {
      throw new IllegalArgumentException("unknown search engine '" + value + "'; known engines: lucene, opensearch");
    }
    return name;
  }

  private static String httpUrl(String value) {
    if (value.isEmpty()) {
      return null;
    }
    try {
      java.net.URI uri = new java.net.URI(value);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("'" + value + "' is not an http(s) URL");
      }
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("'" + value + "' is not a URL");
    }
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  private static String bootstrap(String value) {
    if (value.isEmpty()) {
      return null;
    }
    for (String server : value.split(",")) {
      if (!server.trim().matches("[^:\\s]+:\\d{1,5}")) {
        throw new IllegalArgumentException("'" + value + "' is not a list of host:port");
      }
    }
    return value;
  }

  private static String pgUrl(String value) {
    if (value.isEmpty()) {
      return null;
    }
    if (!value.startsWith("postgresql://") && !value.startsWith("postgres://")) {
      throw new IllegalArgumentException("'" + value + "' must start with postgresql://");
    }
    try {
      PgConnectOptions.fromUri(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + value + "' is not a PostgreSQL URI: " + e.getMessage());
    }
    return value;
  }

  private static List<String> origins(String value) {
    List<String> origins = new ArrayList<>();
    for (String origin : value.split(",")) {
      String trimmed = origin.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!trimmed.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?")) {
        throw new IllegalArgumentException("'" + trimmed + "' is not an origin such as https://example.org:8443");
      }
      origins.add(trimmed);
    }
    return List.copyOf(origins);
  }

  private static boolean authMode(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "tokens" -> true;
      case "none" -> false;
      default -> throw new IllegalArgumentException("unknown mode '" + value + "'; known modes: tokens, none");
    };
  }

  private static String emptyIsNull(String value) {
    return value.isEmpty() ? null : value;
  }

  private static String adminToken(String value) {
    if (value.isEmpty()) {
      return null;
    }
    if (value.length() < 16 || !value.matches("[\\x21-\\x7e]+")) {
      throw new IllegalArgumentException("the token must be at least 16 printable characters without spaces");
    }
    return value;
  }

  /** For logs: never shows the admin token. */
  @Override
  public String toString() {
    return "FanoutOptions[port=" + port + ", host=" + host + ", dataDir=" + dataDir + ", backend=" + backend
        + ", partitions=" + partitions + ", search=" + search + ", adminToken=" + (adminToken == null ? "generated" : "***") + "]";
  }

  private static String nonBlank(String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return value;
  }
}
