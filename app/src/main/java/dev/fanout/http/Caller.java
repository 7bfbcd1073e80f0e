package dev.fanout.http;

import io.vertx.ext.web.RoutingContext;

/**
 * Who is making a request, as the authentication in front of the routes established it: the author a
 * verified token names, or nobody (no authentication on this route, or {@code --auth none}). Routes read
 * it here and never look at tokens themselves.
 */
public final class Caller {

  private static final String AUTHOR = "fanout.caller.author";

  private Caller() {
  }

  /** The author a verified token names, or null when the request carries none. */
  public static String author(RoutingContext ctx) {
    return ctx.get(AUTHOR);
  }

  /** Records the author a verified token names; only authentication calls this. */
  public static void authenticated(RoutingContext ctx, String authorId) {
    ctx.put(AUTHOR, authorId);
  }
}
