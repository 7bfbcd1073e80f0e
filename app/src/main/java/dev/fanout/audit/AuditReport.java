package dev.fanout.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What one audit found.
 *
 * @param discrepancies  the first {@value Audit#DISCREPANCY_LIMIT} found, in the order found
 * @param found          every discrepancy found, listed or not
 * @param blogs          rows of the blogs table checked
 * @param authors        authors whose counts were compared
 * @param indexed        index entries read
 * @param indexTruncated whether the index held more than {@value Audit#INDEX_LIMIT} entries; blogs it did not
 *                       list are then not reported as missing from it
 * @param listTruncated  whether more were found than listed
 */
public record AuditReport(List<Discrepancy> discrepancies, long found, long blogs, long authors, int indexed,
                          boolean indexTruncated, boolean listTruncated) {

  public AuditReport {
    discrepancies = List.copyOf(discrepancies);
  }

  /** Whether it found nothing: after the system settles, that means consistent. */
  public boolean empty() {
    return found == 0;
  }

  /** {@code {discrepancies: [...], checked: {blogs, authors, indexed}, truncated: {index, discrepancies}}}. */
  public JsonObject toJson() {
    JsonArray listed = new JsonArray();
    discrepancies.forEach(discrepancy -> listed.add(discrepancy.toJson()));
    return new JsonObject()
        .put("discrepancies", listed)
        .put("checked", new JsonObject().put("blogs", blogs).put("authors", authors).put("indexed", indexed))
        .put("truncated", truncation());
  }

  /** {@code {index, discrepancies}}: which of the two limits this audit reached. */
  JsonObject truncation() {
    return new JsonObject().put("index", indexTruncated).put("discrepancies", listTruncated);
  }
}
