package dev.fanout.counter;

import dev.fanout.core.AuthorId;
import dev.fanout.http.ApiErrors;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code GET /api/authors/{authorId}}: {@code {authorId, blogCount}}, as counted by the counter group. */
public final class AuthorRoutes {

  private final AuthorCounter counter;

  public AuthorRoutes(AuthorCounter counter) {
    this.counter = counter;
  }

  public void mount(Router router) {
    router.get("/api/authors/:authorId").handler(ctx -> ApiErrors.respond(ctx, 200, () -> {
      String authorId = AuthorId.check(ctx.pathParam("authorId"));
      return counter.count(authorId).map(count -> new JsonObject().put("authorId", authorId).put("blogCount", count));
    }));
  }
}
