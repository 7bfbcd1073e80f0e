package dev.fanout.lab;

import io.vertx.core.json.JsonObject;

/**
 * What one run (one design under one fault) measured once it settled, or gave up settling.
 *
 * @param workload            what the publishers did and were told
 * @param consistency         what was missing, miscounted or lost at the end, and when it stopped being so
 * @param outage              what the counter did during the search outage; null when the run had no outage
 * @param memberCrashMidBatch whether the member crash found a batch in flight; null when the run had none
 * @param deadLetters         what the run's groups dead-lettered and the settle replayed
 * @param error               why the run could not be measured, or null
 */
public record RunResult(Design design, LabFault fault, Workload workload, Consistency consistency, Outage outage,
                        Boolean memberCrashMidBatch, DeadLetters deadLetters, String error) {

  /**
   * @param publishes          publishes attempted
   * @param acknowledged       publishes whose writer was told they succeeded
   * @param crashed            publishes whose publisher crashed after the commit (stored, not acknowledged)
   * @param publishesPerSecond acknowledged publishes per second of the workload
   */
  public record Workload(int publishes, long acknowledged, long crashed, double publishesPerSecond) {
  }

  /**
   * @param missingFromSearch     blogs of the table the index does not hold
   * @param wrongCounts           authors whose count differs from their live blogs
   * @param countedTwice          events counted beyond the live blogs, summed over authors
   * @param uncounted             live blogs the counts fall short of, summed over authors
   * @param lost                  stored blogs whose event reached no topic (two topics: missing from either)
   * @param consistentAfterMillis from the settle's start until the audit found nothing; null: never, within
   *                              the bound
   */
  public record Consistency(long missingFromSearch, long wrongCounts, long countedTwice, long uncounted, long lost,
                            Long consistentAfterMillis) {

    /** Whether nothing is missing, miscounted, counted twice or lost. */
    public boolean clean() {
      return missingFromSearch == 0 && wrongCounts == 0 && countedTwice == 0 && lost == 0;
    }
  }

  /**
   * @param counted of the events stored during the outage, those counted before it ended
   * @param stored  events stored during the outage
   */
  public record Outage(long counted, long stored) {

    /** Whether the counter counted events published during the search outage before it ended. */
    public boolean keptGoing() {
      return counted > 0;
    }
  }

  /**
   * @param deadLettered records the run's groups sent to their dead-letter topics
   * @param replayed     dead letters the settle's replays handled
   */
  public record DeadLetters(long deadLettered, long replayed) {
  }

  /** A run that failed before it could measure. */
  static RunResult failed(Design design, LabFault fault, int publishes, Throwable cause) {
    return new RunResult(design, fault, new Workload(publishes, 0, 0, 0), new Consistency(0, 0, 0, 0, 0, null),
        null, null, new DeadLetters(0, 0), cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  /** Whether it ended with nothing missing, miscounted, counted twice or lost. */
  public boolean consistent() {
    return error == null && consistency.clean();
  }

  /** Whether the counter kept counting during the search outage; null when the run had no outage. */
  public Boolean keptGoing() {
    return outage == null ? null : outage.keptGoing();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("design", design.number())
        .put("designName", design.description())
        .put("fault", fault.cliName())
        .put("publishes", workload.publishes())
        .put("acknowledged", workload.acknowledged())
        .put("crashed", workload.crashed())
        .put("missingFromSearch", consistency.missingFromSearch())
        .put("wrongCounts", consistency.wrongCounts())
        .put("countedTwice", consistency.countedTwice())
        .put("uncounted", consistency.uncounted())
        .put("lost", consistency.lost())
        .put("consistentAfterMillis", consistency.consistentAfterMillis())
        .put("consistent", consistent())
        .put("keptGoing", keptGoing())
        .put("countedDuringOutage", outage == null ? 0L : outage.counted())
        .put("storedDuringOutage", outage == null ? 0L : outage.stored())
        .put("memberCrashMidBatch", memberCrashMidBatch)
        .put("deadLettered", deadLetters.deadLettered())
        .put("replayed", deadLetters.replayed())
        .put("publishesPerSecond", Math.round(workload.publishesPerSecond() * 10) / 10.0)
        .put("error", error);
  }
}
