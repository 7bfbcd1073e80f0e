package dev.fanout.subscription;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where webhooks may go. A subscription URL must be absolute, {@code http} or {@code https}, with a host
 * ({@link #parse}, {@link #checkSyntax}); and, unless private destinations are allowed, every address its host
 * resolves to must be a public one ({@link #check}): no loopback, private (10/8, 172.16/12, 192.168/16,
 * fc00::/7), link-local (169.254/16, which holds cloud metadata at 169.254.169.254, and fe80::/10),
 * multicast, unspecified (0.0.0.0/8, ::) or carrier-grade NAT (100.64/10) address, nor any of those inside
 * an IPv4-mapped ({@code ::ffff:a.b.c.d}), IPv4-compatible or NAT64 ({@code 64:ff9b::/96}) IPv6 address.
 *
 * <p>A check of the URL's host at subscription time cannot stop a name that later resolves elsewhere, so
 * {@link WebhookClient} checks the peer of every connection it uses with {@link #refusalOf(InetAddress)} too.
 * Thread-safe; {@link #check} resolves names on a worker thread, never on an event loop.
 */
public final class DestinationPolicy {

  private final Vertx vertx;
  private final boolean allowPrivate;

  /** @param allowPrivate true lifts the address rules (for a test or a private network), not the URL's */
  public DestinationPolicy(Vertx vertx, boolean allowPrivate) {
    this.vertx = vertx;
    this.allowPrivate = allowPrivate;
  }

  public boolean allowPrivate() {
    return allowPrivate;
  }

  /**
   * {@code text} as a webhook URL.
   *
   * @throws IllegalArgumentException naming the problem (never repeating the URL, which may hold credentials)
   */
  public static URL parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a webhook url is required");
    }
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("a webhook url must be a valid URL");
    }
    if (!uri.isAbsolute()) {
      throw new IllegalArgumentException("a webhook url must be absolute (http:// or https://)");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("a webhook url must use http or https");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("a webhook url must name a host");
    }
    try {
      return checkSyntax(uri.toURL());
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("a webhook url must be a valid URL");
    }
  }

  /**
   * {@code url} when it is absolute, {@code http} or {@code https}, and names a host.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static URL checkSyntax(URL url) {
    if (url == null) {
      throw new IllegalArgumentException("a webhook url is required");
    }
    String protocol = url.getProtocol().toLowerCase(Locale.ROOT);
    if (!protocol.equals("http") && !protocol.equals("https")) {
      throw new IllegalArgumentException("a webhook url must use http or https");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new IllegalArgumentException("a webhook url must name a host");
    }
    return url;
  }

  /** {@link #parse(String) Parses} then {@link #check(URL) checks} {@code text}; a bad URL fails the future. */
  public Future<URL> check(String text) {
    try {
      return check(parse(text));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * {@code url} when webhooks may go there: its syntax is checked, then (unless private destinations are
   * allowed) its host is resolved on a worker thread and every address checked. Fails with
   * IllegalArgumentException for a bad URL, {@link DestinationRefused} for a forbidden address or a host that
   * does not resolve.
   */
  public Future<URL> check(URL url) {
    try {
      checkSyntax(url);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (allowPrivate) {
      return Future.succeededFuture(url);
    }
    String host = url.getHost();
    // the JDK resolver blocks (a literal resolves without asking anyone); unordered: checks don't queue behind each other
    return vertx.executeBlocking(() -> {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        throw new DestinationRefused("a host that does not resolve", host);
      }
      for (InetAddress address : addresses) {
        Optional<String> refusal = refusalOf(address);
        if (refusal.isPresent()) {
          throw new DestinationRefused(refusal.get(), host);
        }
      }
      return url;
    }, false);
  }

  /**
   * Why webhooks may not go to {@code address} under this policy, or empty when they may (always empty when
   * private destinations are allowed).
   */
  public Optional<String> refusal(InetAddress address) {
    return allowPrivate ? Optional.empty() : refusalOf(address);
  }

  /**
   * Why webhooks may never go to {@code address} unless private destinations are allowed, such as
   * {@code a loopback address}; empty for a public address.
   */
  public static Optional<String> refusalOf(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      Inet4Address embedded = embeddedIpv4(v6.getAddress());
      if (embedded != null) {
        return refusalOf(embedded).map(reason -> reason + " (IPv4 inside IPv6)");
      }
    }
    byte[] bytes = address.getAddress();
    int first = bytes[0] & 0xff;
    if (address.isAnyLocalAddress() || (address instanceof Inet4Address && first == 0)) {
      return Optional.of("an unspecified address");
    }
    if (address.isLoopbackAddress()) {
      return Optional.of("a loopback address");
    }
    if (address.isLinkLocalAddress()) {
      return Optional.of("a link-local address");
    }
    if (address.isMulticastAddress()) {
      return Optional.of("a multicast address");
    }
    // isSiteLocalAddress: 10/8, 172.16/12, 192.168/16 and IPv6's old site-local fec0::/10
    if (address.isSiteLocalAddress() || (address instanceof Inet6Address && (first & 0xfe) == 0xfc)) {
      return Optional.of("a private address");
    }
    if (address instanceof Inet4Address && first == 100 && (bytes[1] & 0xc0) == 64) {
      return Optional.of("a carrier-grade NAT address");
    }
    return Optional.empty();
  }

  // The IPv4 address inside ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, not :: or ::1) or 64:ff9b::a.b.c.d
  // (NAT64); null for any other IPv6 address. The JDK turns a mapped literal into an Inet4Address already,
  // but a peer address may come as 16 bytes.
  private static Inet4Address embeddedIpv4(byte[] v6) {
    boolean zeroTo10 = true;
    for (int i = 0; i < 10; i++) {
      zeroTo10 &= v6[i] == 0;
    }
    boolean mapped = zeroTo10 && (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff;
    boolean compatible = zeroTo10 && v6[10] == 0 && v6[11] == 0
        && ((v6[12] | v6[13] | v6[14]) != 0 || (v6[15] & 0xff) > 1);
    boolean nat64 = (v6[0] & 0xff) == 0x00 && (v6[1] & 0xff) == 0x64 && (v6[2] & 0xff) == 0xff && (v6[3] & 0xff) == 0x9b;
    for (int i = 4; nat64 && i < 12; i++) {
      nat64 = v6[i] == 0;
    }
    if (!mapped && !compatible && !nat64) {
      return null;
    }
    try {
      return (Inet4Address) InetAddress.getByAddress(new byte[] {v6[12], v6[13], v6[14], v6[15]});
    } catch (UnknownHostException e) {
      // four bytes are always an address
      throw new IllegalStateException(e);
    }
  }
}
