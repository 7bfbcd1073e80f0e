package dev.fanout.subscription;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The shared secret of one webhook subscription, in Standard Webhooks' form: {@code whsec_} followed by the
 * base64 of the HMAC key. A generated one holds {@value #GENERATED_BYTES} random bytes; a parsed one may hold
 * {@value #MIN_BYTES} to {@value #MAX_BYTES}, as the standard allows.
 *
 * <p>The secret never shows itself by accident: {@link #toString()} names no part of it, and a refused text is
 * not repeated in the refusal. Only {@link #text()} (to hand it to the subscriber once, or to store it) and
 * {@link #key()} (to sign) give it out. Immutable, safe to share between threads.
 */
public final class WebhookSecret {

  /** What every secret's text starts with. */
  public static final String PREFIX = "whsec_";
  static final int GENERATED_BYTES = 32;
  static final int MIN_BYTES = 24;
  static final int MAX_BYTES = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;

  private WebhookSecret(byte[] key) {
    this.key = key;
  }

  /** A new secret of {@value #GENERATED_BYTES} bytes from {@link SecureRandom}. */
  public static WebhookSecret generate() {
    byte[] key = new byte[GENERATED_BYTES];
    RANDOM.nextBytes(key);
    return new WebhookSecret(key);
  }

  /**
   * The secret {@code text} spells.
   *
   * @throws IllegalArgumentException when it is not {@code whsec_} and the base64 of {@value #MIN_BYTES} to
   *                                  {@value #MAX_BYTES} bytes; the message never repeats the text
   */
  public static WebhookSecret parse(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      throw new IllegalArgumentException("a webhook secret starts with " + PREFIX);
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      // the decoder's message quotes the offending character: not repeated
      throw new IllegalArgumentException("a webhook secret is " + PREFIX + " followed by base64");
    }
    if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
      throw new IllegalArgumentException("a webhook secret holds " + MIN_BYTES + " to " + MAX_BYTES + " bytes");
    }
    return new WebhookSecret(key);
  }

  /** The HMAC key: the bytes after {@code whsec_}, decoded; a copy. */
  public byte[] key() {
    return key.clone();
  }

  /** The secret as the subscriber is given it, {@code whsec_...}: to show once or to store, never to log. */
  public String text() {
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WebhookSecret secret && MessageDigest.isEqual(key, secret.key);
  }

  @Override
  public int hashCode() {
    // equal secrets have equal lengths; the key's bytes stay out of hash tables' reach
    return key.length;
  }

  @Override
  public String toString() {
    return "WebhookSecret(" + PREFIX + "…)";
  }
}
