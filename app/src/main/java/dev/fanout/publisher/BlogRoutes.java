package dev.fanout.publisher;

import dev.fanout.core.Refusal;
import dev.fanout.http.ApiErrors;
import dev.fanout.http.Caller;
import dev.fanout.http.JsonBodies;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * The publisher's HTTP API: {@code POST /api/blogs}, {@code PUT/DELETE/GET /api/blogs/{id}}. Bodies must
 * be JSON ({@code 415} otherwise) and are validated before anything is written. Writes are made as the
 * {@link Caller}: a blog is published as the caller's, and only its author may change or delete it
 * (403 {@code not_owner}). Without authentication ({@code --auth none}) the body's {@code authorId} names
 * the author, and deletes are not checked.
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
    ApiErrors.respond(ctx, 201, () -> {
      BlogDraft draft = BlogDraft.parse(JsonBodies.declaredObject(ctx), Caller.author(ctx));
      return store.publish(draft, idempotencyKey(ctx)).map(written -> {
        if (written.replayed()) {
          ctx.response().putHeader("Idempotent-Replayed", "true");
        }
        return written.toJson();
      });
    });
  }

  private void update(RoutingContext ctx) {
    ApiErrors.respond(ctx, 200, () -> {
      UUID id = blogId(ctx);
      BlogDraft draft = BlogDraft.parse(JsonBodies.declaredObject(ctx), Caller.author(ctx));
      return store.update(id, draft).map(BlogStore.Written::toJson);
    });
  }

  private void delete(RoutingContext ctx) {
    ApiErrors.respond(ctx, 200, () -> store.delete(blogId(ctx), Caller.author(ctx)).map(BlogStore.Written::toJson));
  }

  private void find(RoutingContext ctx) {
    ApiErrors.respond(ctx, 200, () -> store.find(blogId(ctx)));
  }

  // Any id that names no live blog, malformed ones included, is simply not found.
  private static UUID blogId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw Refusal.notFound("blog '" + id + "'");
    }
  }

  private static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key == null) {
      return null;
    }
    if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY) {
      throw Refusal.invalid("Idempotency-Key", "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
    }
    return key;
  }
}
