package dev.fanout.app;

import dev.fanout.compose.PartsFactory;
import dev.fanout.compose.SearchKind;
import dev.fanout.consumer.ResiliencePolicy;
import dev.fanout.stream.StreamBackends;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The application's settings, typed and checked: made once at start from the command line's
 * {@link AppOptions} (a flag such as {@code --port 8080}, or its environment variable {@code FANOUT_PORT}; the
 * flag wins). A bad value fails with a message that names the option.
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
 * @param publishRateLimit  writes to /api/blogs per second per author; 0 for no limit
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
 * @param subscriptions     limits and rules of webhook subscriptions
 * @param traceUrlTemplate  a trace viewer's http(s) URL with {@value #TRACE_ID} in it, where the dashboard
 *                          links a traced event's trace; null: no link
 */
public record FanoutOptions(int port, String host, Path dataDir, String backend, String kafkaBootstrap,
                            String pgUrl, int partitions, int consumersPerGroup, SearchKind search,
                            String opensearchUrl, String adminToken, ResiliencePolicy resilience,
                            int publishRateLimit, List<String> corsOrigins, int replicationFactor,
                            int luceneRefreshMillis, int opensearchRefreshMillis, int liveMaxConnections,
                            int outboxKeepMinutes, int idempotencyKeepHours, Auth auth, Subs subscriptions,
                            String traceUrlTemplate) {

  /** What {@code --trace-url-template} must hold, and the dashboard replaces with a trace id. */
  public static final String TRACE_ID = "{traceId}";

  /**
   * Webhook subscriptions.
   *
   * @param max          most subscriptions at once
   * @param keepHours    how long one may hold outbox rows before it expires
   * @param allowPrivate deliveries to loopback, private and link-local addresses are allowed
   */
  public record Subs(int max, int keepHours, boolean allowPrivate) {
  }

  /**
   * How writes are authenticated.
   *
   * @param tokens             true: writes need an author token; false ({@code --auth none}): no check
   * @param jwksUrl            the identity provider's JWKS; null: tokens are minted here
   * @param issuer             the {@code iss} a provider's tokens must carry; null: not checked (only with
   *                           {@code --jwt-no-issuer-audience-check})
   * @param audience           an {@code aud} a provider's tokens must carry; null: not checked (as issuer)
   * @param jwksRefreshSeconds how often the provider's keys are fetched again
   * @param keyFile            the signing key of the tokens minted here
   */
  public record Auth(boolean tokens, String jwksUrl, String issuer, String audience, int jwksRefreshSeconds,
                     Path keyFile) {
  }

  /** The options alone, as a command: what {@link #parse} reads. */
  @Command(name = "fanout")
  static final class OptionsOnly {
    @Mixin
    AppOptions app;
  }

  /**
   * Parses flags and environment as the app does ({@link Cli}); a refusal is an IllegalArgumentException
   * whose message names the option.
   */
  public static FanoutOptions parse(String[] args, Map<String, String> env) {
    return from(Cli.<OptionsOnly>parse(new picocli.CommandLine(new OptionsOnly()), args, env).app);
  }

  /** The settings the factory builds the parts with; the events go to {@code topic}. */
  public PartsFactory.Settings parts(String topic) {
    return new PartsFactory.Settings(topic, partitions, replicationFactor, consumersPerGroup, resilience,
        Duration.ofMinutes(outboxKeepMinutes), true,
        new PartsFactory.SearchSettings(search, luceneRefreshMillis, opensearchUrl, opensearchRefreshMillis));
  }

  /** Checks and types what the command line parsed (bounds were checked by {@link Cli}). */
  static FanoutOptions from(AppOptions o) {
    Path dataDir = check("data-dir", o.dataDir, v -> Path.of(nonBlank(v)).toAbsolutePath().normalize());
    Auth auth = new Auth(
        o.auth == AppOptions.AuthMode.TOKENS,
        check("jwt-jwks-url", o.jwtJwksUrl, FanoutOptions::httpUrl),
        check("jwt-issuer", o.jwtIssuer, FanoutOptions::emptyIsNull),
        check("jwt-audience", o.jwtAudience, FanoutOptions::emptyIsNull),
        o.jwtJwksRefreshSeconds,
        check("jwt-key-file", o.jwtKeyFile, v -> v.equals(AppOptions.KEY_FILE_IN_DATA_DIR)
            ? dataDir.resolve("auth").resolve("author-signing.key") : Path.of(nonBlank(v)).toAbsolutePath().normalize()));
    if (!auth.tokens() && auth.jwksUrl() != null) {
      throw new IllegalArgumentException("option --jwt-jwks-url needs --auth tokens (it is --auth none)");
    }
    if (auth.jwksUrl() == null && (auth.issuer() != null || auth.audience() != null)) {
      throw new IllegalArgumentException("options --jwt-issuer and --jwt-audience check a provider's tokens: "
          + "they need --jwt-jwks-url");
    }
    if (auth.jwksUrl() != null && auth.jwksUrl().startsWith("http:") && !o.jwtAllowInsecureHttp) {
      throw new IllegalArgumentException("option --jwt-jwks-url: '" + auth.jwksUrl() + "' is not https, so the keys "
          + "could be replaced in transit; give an https URL (or --jwt-allow-insecure-http, for tests only)");
    }
    if (auth.jwksUrl() != null && (auth.issuer() == null || auth.audience() == null) && !o.jwtNoIssuerAudienceCheck) {
      throw new IllegalArgumentException("options --jwt-issuer and --jwt-audience are both required with "
          + "--jwt-jwks-url: without them a token the provider issued to any other client is accepted "
          + "(--jwt-no-issuer-audience-check starts without them on purpose)");
    }
    check("log-level", o.logLevel, FanoutOptions::logLevel);
    FanoutOptions options = new FanoutOptions(
        o.port,
        check("host", o.host, FanoutOptions::nonBlank),
        dataDir,
        check("backend", o.backend, FanoutOptions::backend),
        check("kafka-bootstrap", o.kafkaBootstrap, FanoutOptions::bootstrap),
        check("pg-url", o.pgUrl, FanoutOptions::pgUrl),
        o.partitions,
        o.consumersPerGroup,
        o.search,
        check("opensearch-url", o.opensearchUrl, FanoutOptions::httpUrl),
        check("admin-token", o.adminToken, FanoutOptions::adminToken),
        new ResiliencePolicy(o.retryAttempts, o.retryBackoffMillis, o.breakerWaitMillis, o.sinkTimeoutMillis),
        o.publishRateLimit,
        check("cors-origins", o.corsOrigins, FanoutOptions::origins),
        o.replicationFactor,
        o.luceneRefreshMillis,
        o.opensearchRefreshMillis,
        o.liveMaxConnections,
        o.outboxKeepMinutes,
        o.idempotencyKeepHours,
        auth,
        new Subs(o.subscriptionsMax, o.subscriptionsKeepHours, o.subscriptionsAllowPrivate),
        check("trace-url-template", o.traceUrlTemplate, FanoutOptions::traceUrlTemplate));
    if (options.search() == SearchKind.OPENSEARCH && options.opensearchUrl() == null) {
      throw new IllegalArgumentException("option --opensearch-url is required with --search opensearch");
    }
    return options;
  }

  static String logLevel(String value) {
    String level = value.toLowerCase(Locale.ROOT);
    if (!Logs.LEVELS.contains(level)) {
      throw new IllegalArgumentException("unknown level '" + value + "'; known levels: " + String.join(", ", Logs.LEVELS));
    }
    return level;
  }

  private static <T> T check(String flag, String value, Function<String, T> parser) {
    try {
      return parser.apply(value == null ? "" : value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("option --" + flag + ": " + e.getMessage(), e);
    }
  }

  private static String backend(String value) {
    String name = nonBlank(value).toLowerCase(Locale.ROOT);
    List<String> known = StreamBackends.names();
    if (!known.contains(name)) {
      throw new IllegalArgumentException("unknown backend '" + value + "'; known backends: " + String.join(", ", known));
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

  private static String traceUrlTemplate(String value) {
    if (value.isEmpty()) {
      return null;
    }
    if (!value.contains(TRACE_ID)) {
      throw new IllegalArgumentException("'" + value + "' has no " + TRACE_ID + " for the trace id to go in");
    }
    // checked as the URL it becomes: a trace id is 32 hex digits
    httpUrl(value.replace(TRACE_ID, "0".repeat(32)));
    return value;
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
