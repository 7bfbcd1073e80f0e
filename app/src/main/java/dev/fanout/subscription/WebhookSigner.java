package dev.fanout.subscription;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies webhook requests as Standard Webhooks 1.0 does: the signed content is
 * {@code webhook-id + "." + webhook-timestamp + "." + body}, the signature {@code v1,} and the base64 of its
 * HMAC-SHA256 under a secret's key. With several secrets (a rotation: the new one and the one it replaces)
 * the {@code webhook-signature} header holds one signature per secret, separated by spaces, and a receiver
 * accepts the request when any of them matches a secret it knows.
 *
 * <p>Immutable and thread-safe: each call makes its own {@link Mac}.
 */
public final class WebhookSigner {

  /** How far a request's timestamp may be from the receiver's clock, either way. */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);

  private static final String VERSION = "v1";
  private static final String HMAC = "HmacSHA256";

  /** What a receiver concluded of one request. */
  public enum Verdict {
    VALID("valid"),
    MISSING_HEADERS("missing webhook headers"),
    BAD_TIMESTAMP("bad timestamp"),
    STALE_TIMESTAMP("timestamp outside the tolerance"),
    BAD_SIGNATURE("bad signature");

    private final String reason;

    Verdict(String reason) {
      this.reason = reason;
    }

    /** A few words for a log line or an answer; never a header's value. */
    public String reason() {
      return reason;
    }
  }

  private final List<WebhookSecret> secrets;

  /**
   * A signer (or verifier) with these secrets, in the order their signatures are written.
   *
   * @throws IllegalArgumentException when there are none
   */
  public WebhookSigner(List<WebhookSecret> secrets) {
    if (secrets == null || secrets.isEmpty()) {
      throw new IllegalArgumentException("a webhook signer needs at least one secret");
    }
    this.secrets = List.copyOf(secrets);
  }

  public static WebhookSigner of(WebhookSecret... secrets) {
    return new WebhookSigner(List.of(secrets));
  }

  /**
   * The value of {@code webhook-signature} for one request: {@code v1,<base64>} per secret, space-separated.
   *
   * @param timestamp the request's {@code webhook-timestamp}, Unix seconds
   */
  public String sign(String id, long timestamp, byte[] body) {
    List<String> signatures = new ArrayList<>(secrets.size());
    for (WebhookSecret secret : secrets) {
      signatures.add(VERSION + "," + Base64.getEncoder().encodeToString(hmac(secret, id, Long.toString(timestamp), body)));
    }
    return String.join(" ", signatures);
  }

  /**
   * Whether a received request was signed by one of this signer's secrets, within {@link #TOLERANCE} of
   * {@code now}. Signatures of other versions than {@code v1} are skipped; the comparison takes the same
   * time wherever two signatures differ.
   *
   * @param id        the {@code webhook-id} header, or null
   * @param timestamp the {@code webhook-timestamp} header, or null
   * @param signature the {@code webhook-signature} header, or null
   */
  public Verdict verify(String id, String timestamp, String signature, byte[] body, Instant now) {
    if (id == null || id.isEmpty() || timestamp == null || signature == null || body == null) {
      return Verdict.MISSING_HEADERS;
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return Verdict.BAD_TIMESTAMP;
    }
    if (Math.abs(now.getEpochSecond() - seconds) > TOLERANCE.toSeconds()) {
      return Verdict.STALE_TIMESTAMP;
    }
    List<byte[]> expected = new ArrayList<>(secrets.size());
    for (WebhookSecret secret : secrets) {
      // signed over the header as received: the sender signed the text it sent
      expected.add(hmac(secret, id, timestamp.trim(), body));
    }
    for (String candidate : signature.trim().split(" +")) {
      int comma = candidate.indexOf(',');
      if (comma < 0 || !candidate.substring(0, comma).equals(VERSION)) {
        continue;
      }
      byte[] given;
      try {
        given = Base64.getDecoder().decode(candidate.substring(comma + 1));
      } catch (IllegalArgumentException e) {
        continue;
      }
      for (byte[] mine : expected) {
        if (MessageDigest.isEqual(mine, given)) {
          return Verdict.VALID;
        }
      }
    }
    return Verdict.BAD_SIGNATURE;
  }

  private static byte[] hmac(WebhookSecret secret, String id, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret.key(), HMAC));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is in every Java runtime
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  @Override
  public String toString() {
    return "WebhookSigner(" + secrets.size() + " secrets)";
  }
}
