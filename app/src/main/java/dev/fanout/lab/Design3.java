package dev.fanout.lab;

import dev.fanout.compose.PartsFactory;
import dev.fanout.consumer.GroupSpec;
import java.time.Duration;

/**
 * Where design 3 ("Fanout as it is") differs from the app on purpose, each with its reason. Everything not
 * listed here is the app's own setting, built by the app's own {@link PartsFactory}; {@code Design3Test}
 * holds that.
 */
public final class Design3 {

  /** The settings that differ, by their names in {@link PartsFactory.Settings}. */
  public static final java.util.Set<String> DIFFERENCES = java.util.Set.of("topic", "replayUnsentAtStart",
      "outboxKeep");

  /**
   * A run's outbox lives seconds in a schema dropped after the run: the app's keep time has no bearing, and a
   * fixed one keeps runs alike whatever the app was started with.
   */
  static final Duration OUTBOX_KEEP = Duration.ofHours(1);

  private Design3() {
  }

  /** The settings of a run's design 3, from the app's. */
  public static PartsFactory.Settings settings(PartsFactory.Settings app, String prefix) {
    return app
        // prefixed names: every run gets a topic of its own on a stream it shares with other runs (and, in the
        // app, with the app's own topic)
        .withTopic(prefix)
        // no start-up replay: a run's schema is new, it holds nothing to send again
        .withReplayUnsentAtStart(false)
        .withOutboxKeep(OUTBOX_KEEP);
  }

  /**
   * The advisory lock of a run's relay. The app's relays share one lock per database so that one leads; the
   * lab's database holds every run's outbox, of every instance, each in a schema of its own, so each run's
   * relay leads its own outbox under a key of its own (a shared key left one lab's relay standing by while
   * another instance's lab ran, and its run reported false losses).
   */
  static long relayLockKey(String prefix) {
    return java.util.UUID.nameUUIDFromBytes(("fanout-lab-relay:" + prefix)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8)).getMostSignificantBits();
  }

  /** A group of a run: the app's group under a prefixed name (see {@link #settings}). */
  static GroupSpec group(GroupSpec app, String prefix) {
    return app.named(prefix + "-" + app.name());
  }
}
