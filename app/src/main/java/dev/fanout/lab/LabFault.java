package dev.fanout.lab;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The faults a lab run injects, each on its own, and {@link #ALL} of them at once. */
public enum LabFault {

  /** No fault: the baseline. */
  NONE("none"),
  /** The publisher crashes between its database commit and its sends, at fixed publishes. */
  CRASH("crash"),
  /** The search engine is down for a while, from a third of the publishes on. */
  OUTAGE("outage"),
  /** The search sink fails 30% of its calls, for the whole workload. */
  FAIL_RATE("fail-rate"),
  /** A member of the counting group crashes (mid-batch when it has one) at half of the publishes. */
  MEMBER_CRASH("member-crash"),
  /** One event the counter's database refuses, until an operator drops the rule and replays it. */
  POISON("poison"),
  /** Every fault above at once. */
  ALL("all");

  /** What {@code --faults} runs when it is not given. */
  public static final List<LabFault> DEFAULTS = List.of(values());

  private final String cliName;

  LabFault(String cliName) {
    this.cliName = cliName;
  }

  /** The name {@code --faults} and the table use. */
  public String cliName() {
    return cliName;
  }

  /** The single faults this one injects: none for NONE, all five for ALL, else itself. */
  public Set<LabFault> parts() {
    return switch (this) {
      case NONE -> EnumSet.noneOf(LabFault.class);
      case ALL -> EnumSet.of(CRASH, OUTAGE, FAIL_RATE, MEMBER_CRASH, POISON);
      default -> EnumSet.of(this);
    };
  }

  public boolean includes(LabFault single) {
    return parts().contains(single);
  }

  /** Reads a comma-separated list such as {@code crash,outage}; an unknown name fails and lists the known ones. */
  public static List<LabFault> parseList(String value) {
    List<LabFault> faults = new ArrayList<>();
    for (String part : value.split(",")) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      LabFault fault = null;
      for (LabFault candidate : values()) {
        if (candidate.cliName.equals(name)) {
          fault = candidate;
        }
      }
      if (fault == null) {
        throw new IllegalArgumentException("unknown fault '" + part.trim() + "'; known faults: "
            + String.join(", ", DEFAULTS.stream().map(LabFault::cliName).toList()));
      }
      if (!faults.contains(fault)) {
        faults.add(fault);
      }
    }
    if (faults.isEmpty()) {
      throw new IllegalArgumentException("no fault named; known faults: "
          + String.join(", ", DEFAULTS.stream().map(LabFault::cliName).toList()));
    }
    return List.copyOf(faults);
  }
}
