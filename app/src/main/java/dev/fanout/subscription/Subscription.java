package dev.fanout.subscription;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One webhook subscription as stored: a consumer group of the events topic named {@code sub-<name>} whose
 * sink is an HTTP endpoint. Its secrets never leave this package except in the answers of the admin API
 * that creates or rotates them.
 *
 * @param incarnation     tells one life of a name from the next (deleted and created again)
 * @param startTimestamp  epoch milliseconds, for {@link StartFrom#TIMESTAMP} only
 * @param previousSecret  the secret before the last rotation, still signing until {@code previousUntil}
 * @param owedFrom        events committed before this are not owed to the subscription
 * @param expiredAt       when it stopped holding outbox rows for having held them too long; null while not
 * @param snapshotPending a snapshot is still to deliver; its members wait for it
 * @param snapshotAfter   the blog id the snapshot reached (blogs go in id order); null from the start
 * @param deletedAt       when DELETE was asked; every instance stops it, then its rows go
 */
public record Subscription(String name, UUID incarnation, String url, StartFrom startFrom, Long startTimestamp,
                           int maxInFlight, int timeoutMs, String secret, String previousSecret,
                           Instant previousUntil, boolean paused, Instant owedFrom, Instant createdAt,
                           Instant expiredAt, boolean snapshotPending, UUID snapshotAfter, Instant deletedAt) {

  /** The prefix of every subscription's consumer group. */
  public static final String GROUP_PREFIX = "sub-";

  /** Where a new subscription starts, in the words of the reset API. */
  public enum StartFrom {
    LATEST, EARLIEST, TIMESTAMP, SNAPSHOT;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The start named {@code text}, or null for none of them. */
    public static StartFrom of(String text) {
      for (StartFrom s : values()) {
        if (s.wireName().equals(text)) {
          return s;
        }
      }
      return null;
    }
  }

  public Subscription {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(incarnation, "incarnation");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(startFrom, "startFrom");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(owedFrom, "owedFrom");
  }

  /** The consumer group's name on the stream: {@code sub-<name>}. */
  public String group() {
    return groupOf(name);
  }

  public static String groupOf(String name) {
    return GROUP_PREFIX + name;
  }

  public boolean deleted() {
    return deletedAt != null;
  }

  public boolean expired() {
    return expiredAt != null;
  }

  /** The secrets that sign a delivery at {@code now}: the current one, and the previous one for 24 h. */
  public java.util.List<String> signingSecrets(Instant now) {
    if (previousSecret != null && previousUntil != null && now.isBefore(previousUntil)) {
      return java.util.List.of(secret, previousSecret);
    }
    return java.util.List.of(secret);
  }

  @Override
  public String toString() {
    // never the secrets: a record's default toString would print them into any log line that names it
    return "Subscription[" + name + ", " + incarnation + "]";
  }
}
