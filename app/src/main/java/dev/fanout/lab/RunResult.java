package dev.fanout.lab;

import io.vertx.core.json.JsonObject;

/**
 * What one run (one design under one fault) measured once it settled, or gave up settling.
 *
 * @param publishes             publishes attempted
 * @param acknowledged          publishes whose writer was told they succeeded
 * @param crashed               publishes whose publisher crashed after the commit (stored, not acknowledged)
 * @param missingFromSearch     blogs of the table the index does not hold
 * @param wrongCounts           authors whose count differs from their live blogs
 * @param countedTwice          events counted beyond the live blogs, summed over authors
 * @param uncounted             live blogs the counts fall short of, summed over authors
 * @param lost                  stored blogs whose event reached no topic (two topics: missing from either)
 * @param consistentAfterMillis from the settle's start until the audit found nothing; null: never, within the bound
 * @param keptGoing             whether the counter counted events published during the search outage before
 *                              it ended; null when the run had no outage
 * @param countedDuringOutage   of the events stored during the outage, those counted before it ended
 * @param storedDuringOutage    events stored during the outage
 * @param memberCrashMidBatch   whether the member crash found a batch in flight; null when the run had none
 * @param deadLettered          records the run's groups sent to their dead-letter topics
 * @param replayed              dead letters the settle's replays handled
 * @param publishesPerSecond    acknowledged publishes per second of the workload
 * @param error                 why the run could not be measured, or null
 */
public record RunResult(Design design, LabFault fault, int publishes, long acknowledged, long crashed,
                        long missingFromSearch, long wrongCounts, long countedTwice, long uncounted, long lost,
                        Long consistentAfterMillis, Boolean keptGoing, long countedDuringOutage,
                        long storedDuringOutage, Boolean memberCrashMidBatch, long deadLettered, long replayed, double publishesPerSecond,
                        String error) {

  /** A run that failed before it could measure. */
  static RunResult failed(Design design, LabFault fault, int publishes, Throwable cause) {
    return new RunResult(design, fault, publishes, 0, 0, 0, 0, 0, 0, 0, null, null, 0, 0, null, 0, 0, 0,
        cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  /** Whether it ended with nothing missing, miscounted, counted twice or lost. */
  public boolean consistent() {
    return error == null && missingFromSearch == 0 && wrongCounts == 0 && countedTwice == 0 && lost == 0;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("design", design.number())
        .put("designName", design.description())
        .put("fault", fault.cliName())
        .put("publishes", publishes)
        .put("acknowledged", acknowledged)
        .put("crashed", crashed)
        .put("missingFromSearch", missingFromSearch)
        .put("wrongCounts", wrongCounts)
        .put("countedTwice", countedTwice)
        .put("uncounted", uncounted)
        .put("lost", lost)
        .put("consistentAfterMillis", consistentAfterMillis)
        .put("consistent", consistent())
        .put("keptGoing", keptGoing)
        .put("countedDuringOutage", countedDuringOutage)
        .put("storedDuringOutage", storedDuringOutage)
        .put("memberCrashMidBatch", memberCrashMidBatch)
        .put("deadLettered", deadLettered)
        .put("replayed", replayed)
        .put("publishesPerSecond", Math.round(publishesPerSecond * 10) / 10.0)
        .put("error", error);
  }
}
