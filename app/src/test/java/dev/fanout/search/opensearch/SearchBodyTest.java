package dev.fanout.search.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.search.SearchQuery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The search request and the reading of its answer, without a server. */
class SearchBodyTest {

  @Test
  void emptyTextMatchesAllLiveBlogsWithFilters() {
    JsonObject body = SearchBody.of(new SearchQuery("", "ada", "java", 20, 40));
    assertThat(body.getInteger("from")).isEqualTo(40);
    assertThat(body.getInteger("size")).isEqualTo(20);
    assertThat(body.getBoolean("track_total_hits")).isTrue();
    JsonObject bool = body.getJsonObject("query").getJsonObject("bool");
    assertThat(bool.getJsonArray("must").getJsonObject(0).containsKey("match_all")).isTrue();
    assertThat(bool.getJsonArray("filter")).containsExactly(
        new JsonObject().put("term", new JsonObject().put("deleted", false)),
        new JsonObject().put("term", new JsonObject().put("authorId", "ada")),
        new JsonObject().put("term", new JsonObject().put("tags", "java")));
  }

  @Test
  void textIsAQueryStringOverTitleBodyAndTags() {
    JsonObject must = SearchBody.of(new SearchQuery("vert.x AND kafka", null, null, 10, 0))
        .getJsonObject("query").getJsonObject("bool").getJsonArray("must").getJsonObject(0);
    JsonObject queryString = must.getJsonObject("query_string");
    assertThat(queryString.getString("query")).isEqualTo("vert.x AND kafka");
    assertThat(queryString.getJsonArray("fields")).containsExactly("title", "body", "tags.text");
    assertThat(queryString.getBoolean("allow_leading_wildcard")).isFalse();
  }

  @Test
  void readsHitsAndPrefersTheBodyFragment() {
    JsonObject answer = new JsonObject().put("hits", new JsonObject()
        .put("total", new JsonObject().put("value", 42).put("relation", "eq"))
        .put("hits", new JsonArray()
            .add(hit("b1", new JsonObject()
                .put("body", new JsonArray().add("a <mark>word</mark> &amp; more"))
                .put("title", new JsonArray().add("Title"))))
            .add(hit("b2", new JsonObject().put("title", new JsonArray().add("&lt;T&gt; <mark>word</mark>"))))
            .add(hit("b3", new JsonObject()))));
    var result = SearchBody.result(answer);
    assertThat(result.total()).isEqualTo(42);
    assertThat(result.hits()).extracting(hit -> hit.snippet())
        .containsExactly("a <mark>word</mark> &amp; more", "&lt;T&gt; <mark>word</mark>", "&lt;T&gt;");
    assertThat(result.hits().get(0).tags()).containsExactly("x", "y");
    assertThat(result.hits().get(0).publishedAt()).isEqualTo("2026-11-20T10:15:30Z");
  }

  private static JsonObject hit(String id, JsonObject highlight) {
    return new JsonObject().put("_id", id).put("highlight", highlight).put("_source", new JsonObject()
        .put("blogId", id).put("authorId", "ada").put("title", "<T>").put("tags", new JsonArray().add("x").add("y"))
        .put("publishedAt", "2026-11-20T10:15:30Z"));
  }

  @Test
  void cutsAnUnmatchedBodyAtAWholeWord() {
    String shortBody = "short &amp; sweet";
    assertThat(SearchBody.start(shortBody)).isEqualTo(shortBody);

    // 201 characters once the entities count as one: OpenSearch cut it
    String cut = "&lt;p&gt; " + "word ".repeat(39) + "wo";
    assertThat(cut.replaceAll("&[^;]+;", "_")).hasSize(201);
    assertThat(SearchBody.start(cut)).isEqualTo("&lt;p&gt; " + "word ".repeat(38) + "word…");

    // exactly the limit: not cut, even though the escaped text is longer
    String exact = "&amp;".repeat(200);
    assertThat(SearchBody.start(exact)).isEqualTo(exact);
    String noSpace = "&amp;".repeat(201);
    assertThat(SearchBody.start(noSpace)).isEqualTo(noSpace + "…");
  }
}
