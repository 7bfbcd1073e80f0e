package dev.fanout.lab;

/** The three ways the lab wires the same publisher and the same two sinks. */
public enum Design {

  /** One topic, one group whose handler indexes and then counts; a batch is acknowledged when both are done. */
  ONE_GROUP("1", "one group, index then count"),
  /** After its commit the publisher sends to two topics, one per job, each read by its own group; no outbox. */
  DUAL_WRITE("2", "dual write, two topics"),
  /** Fanout as it is: blog and outbox row in one transaction, the relay, one topic, two independent groups. */
  OUTBOX("3", "outbox, independent groups");

  private final String number;
  private final String description;

  Design(String number, String description) {
    this.number = number;
    this.description = description;
  }

  /** "1", "2" or "3", as the issue numbers the designs. */
  public String number() {
    return number;
  }

  public String description() {
    return description;
  }
}
