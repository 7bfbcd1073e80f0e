package dev.fanout.subscription;

/**
 * A webhook destination on an address subscriptions may not reach (loopback, private, link-local,
 * multicast, unspecified, carrier-grade NAT, or an IPv4-mapped IPv6 form of those), or one whose host does
 * not resolve. Kind {@code destination refused}; the message names the reason (and, from
 * {@link DestinationPolicy#check}, the host), never a URL's credentials or a resolved address.
 */
public final class DestinationRefused extends WebhookRefused {

  public static final String KIND = "destination refused";

  private final String reason;

  /** @param reason such as {@code a loopback address}; {@code where}, such as a host, may be null */
  public DestinationRefused(String reason, String where) {
    super(KIND, 0, KIND + ": " + (where == null ? "" : where + " is ") + reason);
    this.reason = reason;
  }

  /** Why, such as {@code a loopback address} or {@code a host that does not resolve}. */
  public String reason() {
    return reason;
  }
}
