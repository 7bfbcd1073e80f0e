package dev.fanout.lab;

/**
 * Where in a workload of {@code publishes} blogs each fault strikes, by publish index, the same for every
 * design: faults are injected at points of the workload, never at moments, so that a run's outcome does not
 * depend on timing. Publish {@code i} is written by {@link #author}.
 *
 * <ul>
 *   <li>crash: every {@value #CRASH_EVERY}th publish from index {@value #FIRST_CRASH}, the poison excepted;</li>
 *   <li>outage: from publish {@code publishes / 3};</li>
 *   <li>member crash: at publish {@code publishes / 2};</li>
 *   <li>poison: publish {@code publishes / 4}, by {@link #POISON_AUTHOR}.</li>
 * </ul>
 */
public record FaultPoints(int publishes, int authors) {

  static final int CRASH_EVERY = 25;
  static final int FIRST_CRASH = 12;
  /** The author whose events the counter's database refuses under the poison fault. */
  public static final String POISON_AUTHOR = "lab-poison";

  public FaultPoints {
    if (publishes < 4 || authors < 1) {
      throw new IllegalArgumentException("a workload needs at least 4 publishes and one author");
    }
  }

  /** Whether the publisher crashes between the commit of publish {@code i} and its sends. */
  public boolean crashesAfter(int i) {
    return i % CRASH_EVERY == FIRST_CRASH && i != poisonAt();
  }

  /** How many publishes {@link #crashesAfter} picks. */
  public int crashes() {
    int crashes = 0;
    for (int i = 0; i < publishes; i++) {
      if (crashesAfter(i)) {
        crashes++;
      }
    }
    return crashes;
  }

  /** The search outage starts right before this publish. */
  public int outageAt() {
    return publishes / 3;
  }

  /** A member of the counting group crashes right before this publish. */
  public int memberCrashAt() {
    return publishes / 2;
  }

  /** The publish whose event the counter refuses. */
  public int poisonAt() {
    return publishes / 4;
  }

  /** Who writes publish {@code i}; with {@code poison}, publish {@link #poisonAt} is the poison author's. */
  public String author(int i, boolean poison) {
    return poison && i == poisonAt() ? POISON_AUTHOR : "lab-author-" + (i % authors);
  }
}
