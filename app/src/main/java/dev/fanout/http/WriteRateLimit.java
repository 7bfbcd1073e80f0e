package dev.fanout.http;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A per-client limit on writes to {@code /api/blogs} (resilience4j {@link RateLimiter}, one per client,
 * never waiting): beyond {@code perSecond} writes in a second a client gets 429 with {@code Retry-After}
 * and a JSON body, and nothing is written. A client is the author an authenticated request is made as
 * ({@link Caller}), otherwise its address (requests without authentication, and those refused by it). The
 * most recently seen {@value #MAX_CLIENTS} clients are tracked; one shared instance serves every HTTP
 * verticle.
 */
public final class WriteRateLimit implements Handler<RoutingContext> {

  static final int MAX_CLIENTS = 10_000;

  private final RateLimiterConfig config;
  // guarded by itself; touched by every event loop
  private final Map<String, RateLimiter> clients = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, RateLimiter> eldest) {
      return size() > MAX_CLIENTS;
    }
  };

  public WriteRateLimit(int perSecond) {
    this.config = RateLimiterConfig.custom()
        .limitForPeriod(perSecond)
        .limitRefreshPeriod(Duration.ofSeconds(1))
        .timeoutDuration(Duration.ZERO)
        .build();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String author = Caller.author(ctx);
    if (allow(author != null ? "author:" + author : address(ctx))) {
      ctx.next();
    } else {
      refuse(ctx);
    }
  }

  /** Takes one of {@code client}'s permits for this second; false when it has none left. */
  public boolean allow(String client) {
    RateLimiter limiter;
    synchronized (clients) {
      limiter = clients.computeIfAbsent(client, c -> RateLimiter.of("publish-" + c, config));
    }
    return limiter.acquirePermission();
  }

  /** Answers 429. */
  public void refuse(RoutingContext ctx) {
    ApiErrors.send(ctx, 429, "rate_limited", "more than " + config.getLimitForPeriod()
        + " writes per second from this client; slow down", null);
  }

  /** The client key of a request's address. */
  public static String address(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    return "address:" + (remote == null ? "unknown" : remote.hostAddress());
  }
}
