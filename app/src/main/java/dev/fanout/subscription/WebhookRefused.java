package dev.fanout.subscription;

import dev.fanout.consumer.PermanentFailure;

/**
 * The endpoint (or our own rules) refused a webhook in a way the same request cannot change: a status other
 * than 2xx, 408, 425, 429 and 5xx (3xx included: redirects are never followed), a URL that is not a webhook
 * URL, or a {@link DestinationRefused destination} on a forbidden address. A {@link PermanentFailure}: the
 * group's retries and breaker treat it as such ({@code Failures.isPermanent}).
 *
 * <p>The message names the kind only ({@code status 404}); never a response body or a URL's credentials.
 */
public class WebhookRefused extends PermanentFailure {

  private final String kind;
  private final int status;

  /**
   * @param kind   such as {@code status 404}, {@code destination refused}, {@code invalid url}
   * @param status the HTTP status, or 0 when no response was read
   */
  public WebhookRefused(String kind, int status, String message) {
    super(message);
    this.kind = kind;
    this.status = status;
  }

  /** A refusal by status: kind and message {@code status <code>}. */
  static WebhookRefused status(int status) {
    return new WebhookRefused("status " + status, status, "webhook refused: status " + status);
  }

  /** What went wrong, in a few stable words: {@code status 404}, {@code destination refused}, {@code invalid url}. */
  public String kind() {
    return kind;
  }

  /** The response's status, or 0 when the refusal came before one. */
  public int status() {
    return status;
  }
}
