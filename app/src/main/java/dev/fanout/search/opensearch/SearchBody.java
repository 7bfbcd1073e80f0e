package dev.fanout.search.opensearch;

import dev.fanout.search.SearchQuery;
import dev.fanout.search.SearchResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.lucene.search.highlight.SimpleHTMLEncoder;

/**
 * The {@code _search} request for a {@link SearchQuery} and the {@link SearchResult} read from its answer.
 * Pure: no I/O.
 *
 * <p>Live blogs only ({@code deleted: false}), best score first, then newest, then blog id so that pages are
 * stable. Snippets come from OpenSearch's highlighter with the HTML encoder: the text is escaped and the only
 * markup is {@code <mark>}; with no match in the body, OpenSearch returns the (escaped) start of the body.
 */
final class SearchBody {

  /** Fields an unqualified term of the query searches. */
  static final List<String> DEFAULT_FIELDS = List.of("title", "body", "tags.text");
  static final int SNIPPET_CHARS = 200;
  private static final Pattern ENTITY = Pattern.compile("&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);");

  private SearchBody() {
  }

  static JsonObject of(SearchQuery query) {
    JsonObject match = query.text().isEmpty()
        ? new JsonObject().put("match_all", new JsonObject())
        : new JsonObject().put("query_string", new JsonObject()
            .put("query", query.text())
            .put("fields", new JsonArray(new ArrayList<>(DEFAULT_FIELDS)))
            .put("default_operator", "OR")
            .put("allow_leading_wildcard", false));
    JsonArray filters = new JsonArray().add(term("deleted", false));
    if (query.author() != null) {
      filters.add(term("authorId", query.author()));
    }
    if (query.tag() != null) {
      filters.add(term("tags", query.tag()));
    }
    return new JsonObject()
        .put("from", query.offset())
        .put("size", query.limit())
        .put("track_total_hits", true)
        .put("_source", new JsonArray().add("blogId").add("authorId").add("title").add("tags").add("publishedAt"))
        .put("query", new JsonObject().put("bool", new JsonObject()
            .put("must", new JsonArray().add(match))
            .put("filter", filters)))
        .put("sort", new JsonArray()
            .add("_score")
            .add(new JsonObject().put("publishedAt", new JsonObject().put("order", "desc")))
            .add(new JsonObject().put("blogId", new JsonObject().put("order", "asc"))))
        .put("highlight", new JsonObject()
            .put("encoder", "html")
            .put("pre_tags", new JsonArray().add("<mark>"))
            .put("post_tags", new JsonArray().add("</mark>"))
            .put("fields", new JsonObject()
                .put("body", new JsonObject()
                    .put("fragment_size", SNIPPET_CHARS)
                    .put("number_of_fragments", 1)
                    // one more than shown, to tell a cut body from a short one
                    .put("no_match_size", SNIPPET_CHARS + 1))
                .put("title", new JsonObject()
                    .put("number_of_fragments", 0)
                    .put("no_match_size", SNIPPET_CHARS))));
  }

  private static JsonObject term(String field, Object value) {
    return new JsonObject().put("term", new JsonObject().put(field, value));
  }

  static SearchResult result(JsonObject answer) {
    JsonObject hits = answer.getJsonObject("hits", new JsonObject());
    JsonObject total = hits.getJsonObject("total", new JsonObject());
    List<SearchResult.Hit> page = new ArrayList<>();
    JsonArray found = hits.getJsonArray("hits", new JsonArray());
    for (int i = 0; i < found.size(); i++) {
      JsonObject hit = found.getJsonObject(i);
      JsonObject source = hit.getJsonObject("_source", new JsonObject());
      List<String> tags = new ArrayList<>();
      source.getJsonArray("tags", new JsonArray()).forEach(tag -> tags.add(String.valueOf(tag)));
      page.add(new SearchResult.Hit(source.getString("blogId"), source.getString("authorId"),
          source.getString("title"), snippet(hit.getJsonObject("highlight", new JsonObject()), source),
          List.copyOf(tags), source.getString("publishedAt")));
    }
    return new SearchResult(total.getLong("value", 0L), List.copyOf(page));
  }

  /** The body's fragment; for an empty body the title's; escaped text when the highlighter gave nothing. */
  private static String snippet(JsonObject highlight, JsonObject source) {
    JsonArray body = highlight.getJsonArray("body");
    if (body != null && !body.isEmpty()) {
      String fragment = body.getString(0);
      return fragment.contains("<mark>") ? fragment : start(fragment);
    }
    JsonArray title = highlight.getJsonArray("title");
    if (title != null && !title.isEmpty()) {
      return title.getString(0);
    }
    return SimpleHTMLEncoder.htmlEncode(source.getString("title", ""));
  }

  /**
   * The start of a body that has no match, as OpenSearch cut it ({@code no_match_size}, escaped): when it was
   * cut, shortened to the last whole word and ended with an ellipsis. Cutting at a space never splits an
   * entity such as {@code &amp;lt;}.
   */
  static String start(String escaped) {
    if (ENTITY.matcher(escaped).replaceAll("_").length() <= SNIPPET_CHARS) {
      return escaped;
    }
    int space = escaped.length() - 1;
    while (space > 0 && !Character.isWhitespace(escaped.charAt(space))) {
      space--;
    }
    return (space > 0 ? escaped.substring(0, space).stripTrailing() : escaped) + "…";
  }
}
