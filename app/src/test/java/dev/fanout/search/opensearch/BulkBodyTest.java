package dev.fanout.search.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.BlogEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The bulk request for a batch and the verdict on its answer, without a server. */
class BulkBodyTest {

  private static final UUID BLOG = UUID.fromString("00000000-0000-0000-0000-000000000001");
  private static final Instant AT = Instant.parse("2026-11-20T10:15:30Z");

  @Test
  void oneIndexActionPerEventWithTheBlogVersionAsExternalVersion() {
    List<Buffer> bodies = BulkBody.of(List.of(
        new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, BLOG, "ada", 1, "T", "B", List.of("java"),
            AT, AT),
        new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogDeleted, BLOG, "ada", 2, null, null, null, null, AT)));
    assertThat(bodies).hasSize(1);
    String[] lines = bodies.get(0).toString().split("\n");
    assertThat(bodies.get(0).toString()).endsWith("\n");
    assertThat(lines).hasSize(4);
    assertThat(new JsonObject(lines[0])).isEqualTo(new JsonObject().put("index", new JsonObject()
        .put("_id", BLOG.toString()).put("version", 1).put("version_type", "external")));
    assertThat(new JsonObject(lines[1])).isEqualTo(new JsonObject().put("blogId", BLOG.toString())
        .put("authorId", "ada").put("version", 1).put("title", "T").put("body", "B")
        .put("tags", new JsonArray().add("java")).put("publishedAt", "2026-11-20T10:15:30Z").put("deleted", false));
    assertThat(new JsonObject(lines[2]).getJsonObject("index").getInteger("version")).isEqualTo(2);
    // a tombstone: no content, still versioned
    assertThat(new JsonObject(lines[3])).isEqualTo(new JsonObject().put("blogId", BLOG.toString())
        .put("authorId", "ada").put("version", 2).put("deleted", true));
  }

  @Test
  void splitsOnlyBatchesLargerThanTheLimit() {
    String body = "x".repeat(1_000_000);
    List<BlogEvent> events = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      events.add(new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogUpdated, BLOG, "ada", i, "T", body,
          List.of(), AT, AT));
    }
    List<Buffer> bodies = BulkBody.of(events);
    assertThat(bodies).hasSizeGreaterThan(1).allMatch(buffer -> buffer.length() <= BulkBody.MAX_BULK_BYTES);
    String joined = String.join("", bodies.stream().map(Buffer::toString).toList());
    List<Integer> versions = new ArrayList<>();
    String[] lines = joined.split("\n");
    for (int i = 0; i < lines.length; i += 2) {
      versions.add(new JsonObject(lines[i]).getJsonObject("index").getInteger("version"));
    }
    assertThat(versions).hasSize(40).isSorted();
  }

  @Test
  void versionConflictsAreDoneOtherFailuresAreNot() {
    assertThat(verdict(new JsonObject().put("errors", false).put("items", new JsonArray()))).isNull();
    assertThat(verdict(answer(item(201, null), item(409, "version_conflict_engine_exception")))).isNull();

    RuntimeException failures = verdict(answer(item(200, null), item(429, "es_rejected_execution_exception"),
        item(409, "version_conflict_engine_exception"), item(400, "mapper_parsing_exception")));
    assertThat(failures).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("2 of 4 documents failed").hasMessageContaining("429 es_rejected_execution_exception");

    // refused for its data alone: retrying cannot help, the event is dead-lettered
    assertThat(verdict(answer(item(201, null), item(400, "mapper_parsing_exception"))))
        .isInstanceOf(dev.fanout.consumer.PermanentFailure.class);
  }

  private static JsonObject answer(JsonObject... items) {
    return new JsonObject().put("errors", true).put("items", new JsonArray(List.of((Object[]) items)));
  }

  private static JsonObject item(int status, String errorType) {
    JsonObject result = new JsonObject().put("_id", BLOG.toString()).put("status", status);
    if (errorType != null) {
      result.put("error", new JsonObject().put("type", errorType).put("reason", "because"));
    }
    return new JsonObject().put("index", result);
  }

  // the verdict on a whole answer, as for a bulk that carried one batch
  private static RuntimeException verdict(JsonObject answer) {
    JsonArray items = answer.getJsonArray("items");
    return BulkBody.failures(items, 0, items.size());
  }
}
