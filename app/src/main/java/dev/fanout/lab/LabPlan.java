package dev.fanout.lab;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What one lab runs: the workload, the faults (each run through every design) and how long a run may take
 * to settle.
 *
 * @param publishes     blogs each run publishes
 * @param faults        the faults, each run through every design, in this order
 * @param designs       the designs, in this order
 * @param rate          publishes per second; 0 publishes as fast as {@code concurrency} writers go
 * @param concurrency   publishes in flight at most
 * @param authors       authors the publishes are spread over
 * @param outageSeconds how long the search outage lasts
 * @param settleSeconds how long after the workload (and the outage) a run may take to become consistent
 *                      before it is called "never"
 */
public record LabPlan(int publishes, List<LabFault> faults, List<Design> designs, int rate, int concurrency,
                      int authors, int outageSeconds, int settleSeconds) {

  public static final int DEFAULT_PUBLISHES = 300;

  public LabPlan {
    if (publishes < 4 || publishes > 1_000_000) {
      throw new IllegalArgumentException("publishes must be 4 to 1000000, was " + publishes);
    }
    if (faults.isEmpty() || designs.isEmpty()) {
      throw new IllegalArgumentException("a lab needs at least one fault and one design");
    }
    if (rate < 0 || concurrency < 1 || authors < 1 || outageSeconds < 1 || settleSeconds < 1) {
      throw new IllegalArgumentException("rate must not be negative; concurrency, authors, outage and settle "
          + "seconds must be positive");
    }
    faults = List.copyOf(faults);
    designs = List.copyOf(designs);
  }

  /** The default plan for {@code publishes} blogs and these faults: every design, unpaced. */
  public static LabPlan of(int publishes, List<LabFault> faults) {
    return new LabPlan(publishes, faults, List.of(Design.values()), 0, 16, 20, 5, 60);
  }

  public LabPlan withSettleSeconds(int seconds) {
    return new LabPlan(publishes, faults, designs, rate, concurrency, authors, outageSeconds, seconds);
  }

  public LabPlan withOutageSeconds(int seconds) {
    return new LabPlan(publishes, faults, designs, rate, concurrency, authors, seconds, settleSeconds);
  }

  public LabPlan withRate(int perSecond) {
    return new LabPlan(publishes, faults, designs, perSecond, concurrency, authors, outageSeconds, settleSeconds);
  }

  public LabPlan withDesigns(List<Design> only) {
    return new LabPlan(publishes, faults, only, rate, concurrency, authors, outageSeconds, settleSeconds);
  }

  public FaultPoints points() {
    return new FaultPoints(publishes, authors);
  }

  public JsonObject toJson() {
    return new JsonObject().put("publishes", publishes)
        .put("faults", new JsonArray(faults.stream().map(LabFault::cliName).toList()))
        .put("designs", new JsonArray(designs.stream().map(Design::number).toList()))
        .put("rate", rate).put("concurrency", concurrency).put("authors", authors)
        .put("outageSeconds", outageSeconds).put("settleSeconds", settleSeconds);
  }
}
