package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** An identity provider is trusted only over https, and only for tokens meant for Fanout. */
class JwtProviderOptionsTest {

  private static final String[] CLAIMS = {"--jwt-issuer", "https://id.example/", "--jwt-audience", "fanout-api"};

  private static FanoutOptions parse(String url, String... more) {
    String[] args = new String[2 + more.length];
    args[0] = "--jwt-jwks-url";
    args[1] = url;
    System.arraycopy(more, 0, args, 2, more.length);
    return FanoutOptions.parse(args, Map.of());
  }

  @Test
  void aPlainHttpJwksUrlIsRefusedUnlessAllowedOnPurpose() {
    assertThatThrownBy(() -> parse("http://id.example/jwks.json", CLAIMS))
        .hasMessageContaining("--jwt-jwks-url").hasMessageContaining("https")
        .hasMessageContaining("--jwt-allow-insecure-http");
    assertThat(parse("http://127.0.0.1:9/jwks.json", "--jwt-issuer", "i", "--jwt-audience", "a",
        "--jwt-allow-insecure-http").auth().jwksUrl()).isEqualTo("http://127.0.0.1:9/jwks.json");
    assertThat(FanoutOptions.parse(new String[] {"--jwt-jwks-url", "http://127.0.0.1:9/jwks.json",
        "--jwt-issuer", "i", "--jwt-audience", "a"}, Map.of("FANOUT_JWT_ALLOW_INSECURE_HTTP", "true"))
        .auth().jwksUrl()).isEqualTo("http://127.0.0.1:9/jwks.json");
    assertThat(parse("https://id.example/jwks.json", CLAIMS).auth().jwksUrl()).isEqualTo("https://id.example/jwks.json");
  }

  @Test
  void aProviderNeedsIssuerAndAudienceUnlessTheCheckIsTurnedOffOnPurpose() {
    for (String[] partial : new String[][] {{}, {"--jwt-issuer", "https://id.example/"}, {"--jwt-audience", "fanout-api"}}) {
      assertThatThrownBy(() -> parse("https://id.example/jwks.json", partial))
          .hasMessageContaining("--jwt-issuer").hasMessageContaining("--jwt-audience");
    }
    FanoutOptions.Auth unchecked = parse("https://id.example/jwks.json", "--jwt-no-issuer-audience-check").auth();
    assertThat(unchecked.issuer()).isNull();
    assertThat(unchecked.audience()).isNull();
  }
}
