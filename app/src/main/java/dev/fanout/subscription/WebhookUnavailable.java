package dev.fanout.subscription;

import dev.fanout.consumer.RetryAfter;
import dev.fanout.consumer.SinkUnavailable;
import java.time.Duration;
import java.util.Optional;

/**
 * A webhook attempt that may succeed later: status 408, 425, 429 or 5xx, a timeout, or a connection that
 * failed (refused, reset, closed, a name that did not resolve). A {@link SinkUnavailable}: retried, counted by
 * the group's breaker, never a reason to dead-letter.
 *
 * <p>The message names the kind only ({@code status 503}, {@code timeout}); never a response body, an
 * address or a URL's credentials.
 */
public final class WebhookUnavailable extends SinkUnavailable implements RetryAfter {

  public static final String TIMEOUT = "timeout";
  public static final String CONNECTION_REFUSED = "connection refused";
  public static final String CONNECTION_RESET = "connection reset";
  public static final String CONNECTION_CLOSED = "connection closed";
  public static final String DNS = "dns";
  public static final String TLS = "tls";
  public static final String CONNECTION_FAILED = "connection failed";

  private final String kind;
  private final int status;
  private final Duration retryAfter;

  /**
   * @param status     the HTTP status, or 0 when there was no response
   * @param retryAfter the endpoint's {@code Retry-After}, at most {@link WebhookClient#MAX_RETRY_AFTER}, or null
   */
  public WebhookUnavailable(String kind, int status, Duration retryAfter) {
    super("webhook unavailable: " + kind + (retryAfter == null ? "" : " (retry after " + retryAfter.toSeconds() + " s)"));
    this.kind = kind;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** {@code status 503}, {@code timeout}, {@code connection refused}, {@code connection reset}, {@code dns}... */
  public String kind() {
    return kind;
  }

  /** The response's status, or 0 when there was none. */
  public int status() {
    return status;
  }

  /** How long the endpoint asked us to wait ({@code Retry-After}), capped; empty when it did not say. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The receiver's {@code Retry-After}, in milliseconds; 0 when it gave none. */
  @Override
  public long retryAfterMillis() {
    return retryAfter().map(java.time.Duration::toMillis).orElse(0L);
  }
}
