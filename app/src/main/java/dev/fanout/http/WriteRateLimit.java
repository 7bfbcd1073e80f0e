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
 * A per-client limit on writes to {@code /api/blogs} (resilience4j {@link RateLimiter}, one per client
 * address, never waiting): beyond {@code perSecond} writes in a second a client gets 429 with
 * {@code Retry-After} and a JSON body, and nothing is written. The most recently seen
 * {@value #MAX_CLIENTS} clients are tracked; one shared instance serves every HTTP verticle.
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
    SocketAddress remote = ctx.request().remoteAddress();
    String client = remote == null ? "unknown" : remote.hostAddress();
    RateLimiter limiter;
    synchronized (clients) {
      limiter = clients.computeIfAbsent(client, c -> RateLimiter.of("publish-" + c, config));
    }
    if (limiter.acquirePermission()) {
      ctx.next();
    } else {
      ApiErrors.send(ctx, 429, "rate_limited", "more than " + config.getLimitForPeriod()
          + " writes per second from this client; slow down", null);
    }
  }
}
