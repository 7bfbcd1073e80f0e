package dev.fanout.counter;

import dev.fanout.app.ApiError;
import dev.fanout.publisher.BlogDraft;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code GET /api/authors/{authorId}}: {@code {authorId, blogCount}}, as counted by the counter group. */
public final class AuthorRoutes {

  private final AuthorCounter counter;

  public AuthorRoutes(AuthorCounter counter) {
    this.counter = counter;
  }

  public void mount(Router router) {
    router.get("/api/authors/:authorId").handler(ctx -> {
      String authorId;
      try {
        authorId = BlogDraft.authorId(ctx.pathParam("authorId"));
      } catch (ApiError e) {
        e.send(ctx);
        return;
      }
      counter.count(authorId)
          .onSuccess(count -> ctx.json(new JsonObject().put("authorId", authorId).put("blogCount", count)))
          .onFailure(e -> ApiError.sendFailure(ctx, e));
    });
  }
}
