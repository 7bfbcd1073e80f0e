package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FanoutOptionsTest {

  @Test
  void defaultsAreTheEmbeddedSetup() {
    FanoutOptions options = FanoutOptions.parse(new String[0], Map.of());
    java.nio.file.Path data = java.nio.file.Path.of("./data").toAbsolutePath().normalize();
    assertThat(options).isEqualTo(new FanoutOptions(8080, "127.0.0.1", data, "memory", null, null, 12, 1, dev.fanout.compose.SearchKind.LUCENE,
        null, null, dev.fanout.consumer.ResiliencePolicy.defaults(), 2000, java.util.List.of(), 1, 20, 200, 100, 60, 24,
        new FanoutOptions.Auth(true, null, null, null, 300, data.resolve("auth").resolve("author-signing.key")),
        new FanoutOptions.Subs(20, 72, false), null));
  }

  @Test
  void authOptionsAreCheckedTogether() {
    FanoutOptions provider = FanoutOptions.parse(new String[] {"--jwt-jwks-url", "https://id.example/jwks.json",
        "--jwt-issuer", "https://id.example/", "--jwt-audience", "fanout-api"}, Map.of());
    assertThat(provider.auth()).isEqualTo(new FanoutOptions.Auth(true, "https://id.example/jwks.json",
        "https://id.example/", "fanout-api", 300, provider.dataDir().resolve("auth").resolve("author-signing.key")));
    assertThat(FanoutOptions.parse(new String[0], Map.of("FANOUT_AUTH", "none")).auth().tokens()).isFalse();
    assertThat(FanoutOptions.parse(new String[] {"--jwt-key-file", "/tmp/shared.key"}, Map.of()).auth().keyFile())
        .isEqualTo(java.nio.file.Path.of("/tmp/shared.key"));
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--auth", "maybe"}, Map.of()))
        .hasMessageContaining("--auth").hasMessageContaining("tokens, none");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--auth", "none", "--jwt-jwks-url", "http://id/jwks"},
        Map.of())).hasMessageContaining("--jwt-jwks-url needs --auth tokens");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--jwt-issuer", "x"}, Map.of()))
        .hasMessageContaining("need --jwt-jwks-url");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--jwt-jwks-url", "ftp://id/jwks"}, Map.of()))
        .hasMessageContaining("--jwt-jwks-url");
  }

  @Test
  void flagsWinOverEnvironmentWhichWinsOverDefaults() {
    FanoutOptions options = FanoutOptions.parse(new String[] {"--port", "9000", "--partitions=3"},
        Map.of("FANOUT_PORT", "7000", "FANOUT_BACKEND", "Kafka", "FANOUT_KAFKA_BOOTSTRAP", "127.0.0.1:9092"));
    assertThat(options.port()).isEqualTo(9000);
    assertThat(options.partitions()).isEqualTo(3);
    assertThat(options.backend()).isEqualTo("kafka");
    assertThat(options.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
  }

  @Test
  void aTraceUrlTemplateIsAnHttpUrlWithTheTraceIdInIt() {
    assertThat(FanoutOptions.parse(new String[0], Map.of("FANOUT_TRACE_URL_TEMPLATE",
        "http://jaeger:16686/trace/{traceId}")).traceUrlTemplate()).isEqualTo("http://jaeger:16686/trace/{traceId}");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--trace-url-template", "http://jaeger:16686/trace/"},
        Map.of())).hasMessageContaining("--trace-url-template").hasMessageContaining("{traceId}");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--trace-url-template", "javascript:alert('{traceId}')"},
        Map.of())).hasMessageContaining("--trace-url-template").hasMessageContaining("http(s)");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--trace-url-template", "jaeger/{traceId}"},
        Map.of())).hasMessageContaining("--trace-url-template");
  }

  @Test
  void badValuesNameTheOption() {
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--admin-token", "short"}, Map.of()))
        .hasMessageContaining("--admin-token");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--cors-origins", "*"}, Map.of()))
        .hasMessageContaining("--cors-origins");
    assertThat(FanoutOptions.parse(new String[] {"--cors-origins", "https://a.example, http://b.example:8080"}, Map.of())
        .corsOrigins()).containsExactly("https://a.example", "http://b.example:8080");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--retry-attempts", "0"}, Map.of()))
        .hasMessageContaining("--retry-attempts");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--port", "http"}, Map.of()))
        .hasMessageContaining("--port").hasMessageContaining("http");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[0], Map.of("FANOUT_PARTITIONS", "0")))
        .hasMessageContaining("--partitions");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--colour", "red"}, Map.of()))
        .hasMessageContaining("Unknown option").hasMessageContaining("--colour");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--backend", "rabbit"}, Map.of()))
        .hasMessageContaining("--backend").hasMessageContaining("memory").hasMessageContaining("kafka");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--pg-url", "mysql://x"}, Map.of()))
        .hasMessageContaining("--pg-url");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--kafka-bootstrap", "nohost"}, Map.of()))
        .hasMessageContaining("--kafka-bootstrap");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--consumers-per-group", "0"}, Map.of()))
        .hasMessageContaining("--consumers-per-group");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--search", "solr"}, Map.of()))
        .hasMessageContaining("--search").hasMessageContaining("lucene, opensearch");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--search", "opensearch"}, Map.of()))
        .hasMessageContaining("--opensearch-url");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--opensearch-url", "ftp://x"}, Map.of()))
        .hasMessageContaining("--opensearch-url");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--port"}, Map.of()))
        .hasMessageContaining("--port").hasMessageContaining("Missing required parameter");
  }

  @Test
  void boundsNameTheOptionAndTheRange() {
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--partitions", "1025"}, Map.of()))
        .hasMessageContaining("--partitions").hasMessageContaining("1..1024");
    assertThatThrownBy(() -> FanoutOptions.parse(new String[] {"--log-level", "loud"}, Map.of()))
        .hasMessageContaining("--log-level").hasMessageContaining("error, warn, info, debug, trace");
  }

  @Test
  void theKeyFileFollowsTheDataDirUnlessGiven() {
    FanoutOptions options = FanoutOptions.parse(new String[] {"--data-dir", "/srv/fanout"}, Map.of());
    assertThat(options.auth().keyFile()).isEqualTo(java.nio.file.Path.of("/srv/fanout/auth/author-signing.key"));
  }
}
