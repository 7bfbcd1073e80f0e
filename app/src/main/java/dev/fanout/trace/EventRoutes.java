package dev.fanout.trace;

import dev.fanout.core.Refusal;
import dev.fanout.http.ApiErrors;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * Following events, open to every reader: {@code GET /api/events/{eventId}} (one event's trace) and
 * {@code GET /api/blogs/{blogId}/events} (a blog's events, newest first). A malformed id is a 400 naming
 * the parameter; an id the app keeps nothing about is a 404.
 */
public final class EventRoutes {

  private final EventTraces traces;

  public EventRoutes(EventTraces traces) {
    this.traces = traces;
  }

  public void mount(Router router) {
    router.get("/api/events/:eventId").handler(ctx ->
        ApiErrors.respond(ctx, 200, () -> traces.event(id(ctx, "eventId"))));
    router.get("/api/blogs/:blogId/events").handler(ctx ->
        ApiErrors.respond(ctx, 200, () -> traces.blog(id(ctx, "blogId"))));
  }

  private static UUID id(RoutingContext ctx, String name) {
    String id = ctx.pathParam(name);
    try {
      UUID uuid = UUID.fromString(id);
      // fromString also takes short forms such as 1-2-3-4-5: only the canonical one is an id
      if (uuid.toString().equalsIgnoreCase(id)) {
        return uuid;
      }
    } catch (IllegalArgumentException e) {
      // not a UUID at all
    }
    throw Refusal.invalid(name, name + " must be a UUID such as 0b6f3a52-5c1e-4f7e-9d3a-2f4b8c1d9e70");
  }
}
