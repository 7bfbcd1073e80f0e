package dev.fanout.publisher;

import dev.fanout.app.ApiError;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * The publisher's HTTP API: {@code POST /api/blogs}, {@code PUT/DELETE/GET /api/blogs/{id}}. Bodies must
 * be JSON ({@code 415} otherwise) and are validated before anything is written.
 */
public final class BlogRoutes {

  /** The longest Idempotency-Key accepted. */
  static final int MAX_IDEMPOTENCY_KEY = 200;

  private final BlogStore store;

  public BlogRoutes(BlogStore store) {
    this.store = store;
  }

  /** Adds the routes; the router must already have a body handler with a size limit on /api/blogs. */
  public void mount(Router router) {
    router.post("/api/blogs").handler(this::publish);
    router.put("/api/blogs/:id").handler(this::update);
    router.delete("/api/blogs/:id").handler(this::delete);
    router.get("/api/blogs/:id").handler(this::find);
  }

  private void publish(RoutingContext ctx) {
    ApiError.respond(ctx, 201, () -> {
      BlogDraft draft = BlogDraft.parse(jsonBody(ctx));
      return store.publish(draft, idempotencyKey(ctx)).map(written -> {
        if (written.replayed()) {
          ctx.response().putHeader("Idempotent-Replayed", "true");
        }
        return written.toJson();
      });
    });
  }

  private void update(RoutingContext ctx) {
    ApiError.respond(ctx, 200, () -> {
      UUID id = blogId(ctx);
      BlogDraft draft = BlogDraft.parse(jsonBody(ctx));
      return store.update(id, draft).map(BlogStore.Written::toJson);
    });
  }

  private void delete(RoutingContext ctx) {
    ApiError.respond(ctx, 200, () -> store.delete(blogId(ctx)).map(BlogStore.Written::toJson));
  }

  private void find(RoutingContext ctx) {
    ApiError.respond(ctx, 200, () -> store.find(blogId(ctx)));
  }

  private static String jsonBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      throw new ApiError(415, "unsupported_media_type", "the body must be application/json", "Content-Type");
    }
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
      throw new ApiError(400, "malformed_json", "the body is empty", null);
    }
    return ctx.body().asString("UTF-8");
  }

  // Any id that names no live blog, malformed ones included, is simply not found.
  private static UUID blogId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiError.notFound("blog '" + id + "'");
    }
  }

  private static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key == null) {
      return null;
    }
    if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY) {
      throw ApiError.invalid("Idempotency-Key", "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
    }
    return key;
  }
}
