package dev.fanout.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our secrets and signatures, judged by the Standard Webhooks reference library ({@code com.standardwebhooks}),
 * an implementation we did not write: it must accept what we sign, with one secret and with two (a rotation),
 * and our verifier must accept what it signs.
 */
class WebhookSignerTest {

  private static final byte[] BODY = "{\"type\":\"blog.published\",\"data\":{\"title\":\"Grüße\"}}"
      .getBytes(StandardCharsets.UTF_8);

  private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
    return Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(Long.toString(timestamp)),
        "webhook-signature", List.of(signature));
  }

  @Test
  void aGeneratedSecretIsWhsecAndThirtyTwoRandomBytesAndParsesBack() {
    WebhookSecret secret = WebhookSecret.generate();
    assertThat(secret.text()).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.text().substring(6))).hasSize(32).isEqualTo(secret.key());
    assertThat(WebhookSecret.parse(secret.text())).isEqualTo(secret);
    assertThat(WebhookSecret.generate()).isNotEqualTo(secret);
    assertThat(secret.toString()).doesNotContain(secret.text().substring(6)).doesNotContain(secret.text().substring(6, 16));
  }

  @Test
  void anythingElseIsRefusedWithoutRepeatingIt() {
    String shortKey = "whsec_" + Base64.getEncoder().encodeToString(new byte[8]);
    for (String bad : new String[] {null, "", "sk_live_abcdefabcdefabcdefabcdef", "whsec_", "whsec_not*base64!secretvalue",
        shortKey, "WHSEC_" + Base64.getEncoder().encodeToString(new byte[32])}) {
      assertThatThrownBy(() -> WebhookSecret.parse(bad)).isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> {
            if (bad != null && !bad.isEmpty()) {
              assertThat(e.getMessage()).doesNotContain(bad);
            }
          });
    }
    assertThatThrownBy(() -> WebhookSecret.parse("whsec_not*base64!secretvalue"))
        .hasMessageNotContaining("secretvalue").hasMessageNotContaining("*");
  }

  @Test
  void theReferenceLibraryVerifiesOurSignatureAndSignsTheSame() throws Exception {
    WebhookSecret secret = WebhookSecret.generate();
    long now = Instant.now().getEpochSecond();
    String signature = WebhookSigner.of(secret).sign("msg_1", now, BODY);
    assertThat(signature).startsWith("v1,").doesNotContain(" ");

    Webhook reference = new Webhook(secret.text());
    assertThatCode(() -> reference.verify(new String(BODY, StandardCharsets.UTF_8), headers("msg_1", now, signature)))
        .doesNotThrowAnyException();
    assertThat(reference.sign("msg_1", now, new String(BODY, StandardCharsets.UTF_8))).isEqualTo(signature);

    // another id, another body or another secret: the reference refuses
    assertThatThrownBy(() -> reference.verify(new String(BODY, StandardCharsets.UTF_8), headers("msg_2", now, signature)))
        .isInstanceOf(WebhookVerificationException.class);
    assertThatThrownBy(() -> reference.verify("{}", headers("msg_1", now, signature)))
        .isInstanceOf(WebhookVerificationException.class);
    assertThatThrownBy(() -> new Webhook(WebhookSecret.generate().text())
        .verify(new String(BODY, StandardCharsets.UTF_8), headers("msg_1", now, signature)))
        .isInstanceOf(WebhookVerificationException.class);
  }

  @Test
  void duringARotationEachSecretAloneVerifiesTheTwoSignatures() {
    WebhookSecret next = WebhookSecret.generate();
    WebhookSecret previous = WebhookSecret.generate();
    long now = Instant.now().getEpochSecond();
    String signature = WebhookSigner.of(next, previous).sign("msg_rot", now, BODY);
    assertThat(signature.split(" ")).hasSize(2).allSatisfy(part -> assertThat(part).startsWith("v1,"));
    for (WebhookSecret secret : List.of(next, previous)) {
      assertThatCode(() -> new Webhook(secret.text()).verify(new String(BODY, StandardCharsets.UTF_8),
          headers("msg_rot", now, signature))).doesNotThrowAnyException();
      assertThat(WebhookSigner.of(secret).verify("msg_rot", Long.toString(now), signature, BODY, Instant.now()))
          .isEqualTo(WebhookSigner.Verdict.VALID);
    }
    assertThatThrownBy(() -> new Webhook(WebhookSecret.generate().text()).verify(new String(BODY, StandardCharsets.UTF_8),
        headers("msg_rot", now, signature))).isInstanceOf(WebhookVerificationException.class);
  }

  @Test
  void ourVerifierAcceptsTheReferencesSignatureWithinFiveMinutesOnly() throws Exception {
    WebhookSecret secret = WebhookSecret.generate();
    Instant now = Instant.now();
    long timestamp = now.getEpochSecond();
    String signature = new Webhook(secret.text()).sign("msg_3", timestamp, new String(BODY, StandardCharsets.UTF_8));
    WebhookSigner verifier = WebhookSigner.of(WebhookSecret.generate(), secret);
    String ts = Long.toString(timestamp);

    assertThat(verifier.verify("msg_3", ts, signature, BODY, now)).isEqualTo(WebhookSigner.Verdict.VALID);
    assertThat(verifier.verify("msg_3", ts, "v1a,xyz " + signature, BODY, now)).isEqualTo(WebhookSigner.Verdict.VALID);
    assertThat(verifier.verify("msg_3", ts, signature, BODY, now.plusSeconds(299))).isEqualTo(WebhookSigner.Verdict.VALID);
    assertThat(verifier.verify("msg_3", ts, signature, BODY, now.plusSeconds(301)))
        .isEqualTo(WebhookSigner.Verdict.STALE_TIMESTAMP);
    assertThat(verifier.verify("msg_3", ts, signature, BODY, now.minusSeconds(301)))
        .isEqualTo(WebhookSigner.Verdict.STALE_TIMESTAMP);
    assertThat(verifier.verify("msg_4", ts, signature, BODY, now)).isEqualTo(WebhookSigner.Verdict.BAD_SIGNATURE);
    assertThat(verifier.verify("msg_3", ts, signature, "{}".getBytes(StandardCharsets.UTF_8), now))
        .isEqualTo(WebhookSigner.Verdict.BAD_SIGNATURE);
    assertThat(verifier.verify("msg_3", ts, "v1,not-base64!", BODY, now)).isEqualTo(WebhookSigner.Verdict.BAD_SIGNATURE);
    assertThat(verifier.verify("msg_3", "yesterday", signature, BODY, now)).isEqualTo(WebhookSigner.Verdict.BAD_TIMESTAMP);
    assertThat(verifier.verify(null, ts, signature, BODY, now)).isEqualTo(WebhookSigner.Verdict.MISSING_HEADERS);
    assertThat(verifier.verify("msg_3", ts, null, BODY, now)).isEqualTo(WebhookSigner.Verdict.MISSING_HEADERS);
  }
}
