package dev.fanout.search;

import dev.fanout.http.ApiErrors;
import io.vertx.ext.web.Router;

/** {@code GET /api/search?q=&author=&tag=&limit=&offset=}: {@code {total, hits: [...]}}. */
public final class SearchRoutes {

  private final SearchEngine engine;

  public SearchRoutes(SearchEngine engine) {
    this.engine = engine;
  }

  public void mount(Router router) {
    router.get("/api/search").handler(ctx -> ApiErrors.respond(ctx, 200,
        () -> engine.search(SearchQuery.parse(ctx.queryParams())).map(SearchResult::toJson)));
  }
}
