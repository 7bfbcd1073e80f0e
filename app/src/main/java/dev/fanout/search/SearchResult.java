package dev.fanout.search;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One page of search hits and the total number of matching live blogs.
 *
 * <p>{@code snippet} is an HTML fragment: the blog's text HTML-escaped, with matched terms wrapped in
 * {@code <mark>}…{@code </mark>}; nothing else in it is markup.
 */
public record SearchResult(long total, List<Hit> hits) {

  public record Hit(String blogId, String authorId, String title, String snippet, List<String> tags,
                    String publishedAt) {
    public JsonObject toJson() {
      return new JsonObject().put("blogId", blogId).put("authorId", authorId).put("title", title)
          .put("snippet", snippet).put("tags", new JsonArray(tags)).put("publishedAt", publishedAt);
    }
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    hits.forEach(hit -> array.add(hit.toJson()));
    return new JsonObject().put("total", total).put("hits", array);
  }
}
