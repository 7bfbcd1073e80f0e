package dev.fanout.lab;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Every run of one lab, in the order they ran, as a table for people and as JSON for programs. */
public record LabResult(LabPlan plan, String backend, String search, Instant startedAt, Instant endedAt,
                        List<RunResult> runs) {

  public LabResult {
    runs = List.copyOf(runs);
  }

  /** The run of {@code design} under {@code fault}, or null. */
  public RunResult run(Design design, LabFault fault) {
    return runs.stream().filter(r -> r.design() == design && r.fault() == fault).findFirst().orElse(null);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("plan", plan.toJson())
        .put("backend", backend)
        .put("search", search)
        .put("startedAt", startedAt.toString())
        .put("endedAt", endedAt.toString())
        .put("runs", new JsonArray(runs.stream().map(RunResult::toJson).toList()));
  }

  private static final String ROW = "%-12s %-6s %9s %7s %8s %5s %11s %11s %11s %8s%n";

  /** One line per fault and design, with the measures as columns. */
  public String table() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "lab: %d publishes per run, backend %s, search %s, settle bound %d s%n",
        plan.publishes(), backend, search, plan.settleSeconds()));
    out.append(String.format(Locale.ROOT, ROW, "fault", "design", "missing", "wrong", "counted", "lost",
        "consistent", "unaffected", "publishes/s", "crashed"));
    out.append(String.format(Locale.ROOT, ROW, "", "", "in search", "counts", "twice", "",
        "after", "kept going", "", ""));
    for (RunResult run : runs) {
      if (run.error() != null) {
        out.append(String.format(Locale.ROOT, "%-12s %-6s failed: %s%n", run.fault().cliName(), run.design().number(),
            run.error()));
        continue;
      }
      RunResult.Consistency consistency = run.consistency();
      RunResult.Outage outage = run.outage();
      out.append(String.format(Locale.ROOT, ROW, run.fault().cliName(), run.design().number(),
          consistency.missingFromSearch(), consistency.wrongCounts(), consistency.countedTwice(), consistency.lost(),
          consistency.consistentAfterMillis() == null ? "never"
              : String.format(Locale.ROOT, "%.1f s", consistency.consistentAfterMillis() / 1000.0),
          outage == null ? "-" : (outage.keptGoing() ? "yes" : "no") + " " + outage.counted() + "/" + outage.stored(),
          String.format(Locale.ROOT, "%.0f", run.workload().publishesPerSecond()), run.workload().crashed()));
    }
    out.append("designs: ");
    for (Design design : plan.designs()) {
      out.append(design.number()).append(" = ").append(design.description()).append("; ");
    }
    out.append(String.format(Locale.ROOT,
        "%n\"kept going\": events stored during the search outage that the counter counted before it ended.%n"));
    return out.toString();
  }
}
