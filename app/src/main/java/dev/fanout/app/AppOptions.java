package dev.fanout.app;

import dev.fanout.compose.SearchKind;
import picocli.CommandLine.Option;

/**
 * The app's options, each declared once: its flag, its default and, where it has them, its bounds. Its
 * environment variable follows from the flag ({@code --port}: {@code FANOUT_PORT}; see {@link Cli}). Both
 * commands take them: serving ({@code java -jar fanout.jar}) and {@code lab}. {@link FanoutOptions#from}
 * turns them into the typed, checked settings the app runs with.
 *
 * <p>Fields are written by picocli while parsing, on the thread that parses, and only read after.
 */
final class AppOptions {

  /** The default of {@code --jwt-key-file}: inside the data dir, wherever that is. */
  static final String KEY_FILE_IN_DATA_DIR = "<data-dir>/auth/author-signing.key";

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port of the API and the dashboard (0 picks a free port)")
  @Bounds(min = 0, max = 65_535)
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address the HTTP server listens on")
  String host;

  @Option(names = "--data-dir", defaultValue = "./data",
      description = "where the embedded PostgreSQL (pg/), the embedded Kafka broker (kafka/), the Lucene index (search/) and the log (logs/) live")
  String dataDir;

  @Option(names = "--backend", defaultValue = "memory",
      description = "stream backend: memory (embedded default) or kafka; an unknown name fails and lists the known ones")
  String backend;

  @Option(names = "--kafka-bootstrap", defaultValue = "",
      description = "Kafka servers host:port,...; with --backend kafka and none, a Kafka broker (KRaft) runs in-process under the data dir")
  String kafkaBootstrap;

  @Option(names = "--pg-url", defaultValue = "",
      description = "an external PostgreSQL, postgresql://user:password@host:port/db; empty: an embedded one under the data dir")
  String pgUrl;

  @Option(names = "--partitions", defaultValue = "12", description = "partitions of the blog-events topic")
  @Bounds(min = 1, max = 1024)
  int partitions;

  @Option(names = "--replication-factor", defaultValue = "1",
      description = "copies of each partition the Kafka brokers keep, for the topics the app creates")
  @Bounds(min = 1, max = 16)
  int replicationFactor;

  @Option(names = "--consumers-per-group", defaultValue = "1",
      description = "members each consumer group gets in this process; members beyond the partition count sit idle")
  @Bounds(min = 1, max = 64)
  int consumersPerGroup;

  @Option(names = "--search", defaultValue = "lucene", converter = SearchKindConverter.class,
      description = "search engine: lucene (an embedded index under the data dir) or opensearch")
  SearchKind search;

  @Option(names = "--opensearch-url", defaultValue = "",
      description = "OpenSearch base URL such as http://127.0.0.1:9200; required with --search opensearch")
  String opensearchUrl;

  @Option(names = "--lucene-refresh-ms", defaultValue = "20",
      description = "Lucene: the least time between two reopens of the index reader (a blog is searchable within about this)")
  @Bounds(min = 0, max = 10_000)
  int luceneRefreshMillis;

  @Option(names = "--opensearch-refresh-ms", defaultValue = "200",
      description = "OpenSearch: the least time between two refresh requests after the app's bulks")
  @Bounds(min = 0, max = 10_000)
  int opensearchRefreshMillis;

  @Option(names = "--admin-token", defaultValue = "",
      description = "the Bearer token of /api/admin/, at least 16 printable characters; empty: a random one, printed at start")
  String adminToken;

  @Option(names = "--retry-attempts", defaultValue = "5",
      description = "tries of a sink call (the first included) before a batch is given back or a bad event dead-lettered")
  @Bounds(min = 1, max = 100)
  int retryAttempts;

  @Option(names = "--retry-backoff-ms", defaultValue = "100",
      description = "wait before the first retry; doubled per retry, give or take up to half (jitter), at most 10 s")
  @Bounds(min = 1, max = 60_000)
  int retryBackoffMillis;

  @Option(names = "--breaker-wait-ms", defaultValue = "5000",
      description = "how long a sink's open circuit keeps its group paused before one probe batch is let through")
  @Bounds(min = 100, max = 600_000)
  int breakerWaitMillis;

  @Option(names = "--sink-timeout-ms", defaultValue = "30000",
      description = "how long one call of a group's sink (a counter transaction, a search write) may take; past it the call fails as retriable and counts for the circuit breaker")
  @Bounds(min = 100, max = 600_000)
  int sinkTimeoutMillis;

  @Option(names = "--publish-rate-limit", defaultValue = "2000",
      description = "writes to /api/blogs per second per author (per client address for writes refused 401, and with --auth none); 429 beyond; 0: no limit")
  @Bounds(min = 0, max = 1_000_000)
  int publishRateLimit;

  @Option(names = "--cors-origins", defaultValue = "",
      description = "origins allowed to call the API from a browser, comma-separated; empty: no CORS headers")
  String corsOrigins;

  @Option(names = "--live-max-connections", defaultValue = "100",
      description = "live dashboard connections (/api/live) this process keeps open at once; 503 beyond")
  @Bounds(min = 1, max = 10_000)
  int liveMaxConnections;

  @Option(names = "--idempotency-keep-hours", defaultValue = "24",
      description = "how long an Idempotency-Key answers its retries with the first answer; then it is pruned")
  @Bounds(min = 1, max = 8_760)
  int idempotencyKeepHours;

  @Option(names = "--auth", defaultValue = "tokens", converter = AuthModeConverter.class,
      description = "tokens: writes need an author token; none: no check at all (only behind a gateway that authenticates)")
  AuthMode auth;

  @Option(names = "--jwt-jwks-url", defaultValue = "",
      description = "an identity provider's JWKS document: its tokens (RS256, ES256, ...) are accepted and Fanout mints none")
  String jwtJwksUrl;

  @Option(names = "--jwt-issuer", defaultValue = "",
      description = "with --jwt-jwks-url: the iss the provider's tokens must carry (required)")
  String jwtIssuer;

  @Option(names = "--jwt-audience", defaultValue = "",
      description = "with --jwt-jwks-url: an aud the provider's tokens must carry (required)")
  String jwtAudience;

  @Option(names = "--jwt-no-issuer-audience-check", defaultValue = "false",
      description = "with --jwt-jwks-url: start without --jwt-issuer or --jwt-audience, accepting any client's tokens from the provider (warned at start)")
  boolean jwtNoIssuerAudienceCheck;

  @Option(names = "--jwt-allow-insecure-http", defaultValue = "false",
      description = "accept an http:// --jwt-jwks-url (keys can then be replaced in transit): for tests and local setups only")
  boolean jwtAllowInsecureHttp;

  @Option(names = "--jwt-jwks-refresh-seconds", defaultValue = "300",
      description = "with --jwt-jwks-url: how often the keys are fetched again")
  @Bounds(min = 1, max = 86_400)
  int jwtJwksRefreshSeconds;

  @Option(names = "--jwt-key-file", defaultValue = KEY_FILE_IN_DATA_DIR,
      description = "the key Fanout signs its author tokens with: made on the first start (owner-only), read after")
  String jwtKeyFile;

  @Option(names = "--outbox-keep-minutes", defaultValue = "60",
      description = "the least time a sent event stays in the outbox; then it is pruned once no redelivery can reach it")
  @Bounds(min = 0, max = 10_080)
  int outboxKeepMinutes;

  @Option(names = "--subscriptions-max", defaultValue = "20",
      description = "webhook subscriptions (POST /api/admin/subscriptions) at most")
  @Bounds(min = 0, max = 1_000)
  int subscriptionsMax;

  @Option(names = "--subscriptions-keep-hours", defaultValue = "72",
      description = "how long a subscription that is down or refusing may hold outbox rows; past it, it is expired and holds none (resync starts it again)")
  @Bounds(min = 1, max = 8_760)
  int subscriptionsKeepHours;

  @Option(names = "--subscriptions-allow-private", defaultValue = "false",
      description = "deliver to loopback, private and link-local addresses too (refused otherwise): for tests and local trials only (warned at start)")
  boolean subscriptionsAllowPrivate;

  @Option(names = "--trace-url-template", defaultValue = "",
      description = "a trace viewer's URL with {traceId} in it, such as http://jaeger:16686/trace/{traceId}: the dashboard links each traced event's trace there; empty: no link")
  String traceUrlTemplate;

  @Option(names = "--log-level", defaultValue = "warn",
      description = "what the console shows besides the banner: error, warn, info, debug or trace; the log file under the data dir gets info and above")
  String logLevel;

  /** Who may write. */
  enum AuthMode {
    TOKENS, NONE;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static final class SearchKindConverter implements picocli.CommandLine.ITypeConverter<SearchKind> {
    @Override
    public SearchKind convert(String value) {
      try {
        return SearchKind.of(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class AuthModeConverter implements picocli.CommandLine.ITypeConverter<AuthMode> {
    @Override
    public AuthMode convert(String value) {
      for (AuthMode mode : AuthMode.values()) {
        if (mode.toString().equalsIgnoreCase(value.trim())) {
          return mode;
        }
      }
      throw new picocli.CommandLine.TypeConversionException("unknown mode '" + value + "'; known modes: tokens, none");
    }
  }
}
