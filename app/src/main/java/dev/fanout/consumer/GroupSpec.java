package dev.fanout.consumer;

import java.util.Objects;

/**
 * A consumer group declared as data: what it is called on the stream, what it does with events, how it
 * treats failures and how its batches reach the sink. Everything that walks the groups (the relay's gap
 * healing, the trace, the dashboard, metrics, faults, the admin routes) finds them through a
 * {@link GroupRegistry} of these, never through a list compiled into the app.
 *
 * @param name         the group's name on the stream (and in {@code processed_events} when its sink records)
 * @param sink         what the group does with its events
 * @param policy       retries and circuit breaking around the sink
 * @param dispatch     how batches of several partitions reach the sink
 */
public record GroupSpec(String name, GroupSink sink, ResiliencePolicy policy, Dispatch dispatch) {

  public GroupSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(dispatch, "dispatch");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a group needs a name");
    }
  }

  /** A group whose batches share sink calls ({@link Dispatch#SHARED_CALLS}), as the built-in groups do. */
  public static GroupSpec of(String name, GroupSink sink, ResiliencePolicy policy) {
    return new GroupSpec(name, sink, policy, Dispatch.SHARED_CALLS);
  }

  /** The same group under another name on the stream (the lab prefixes its groups per run). */
  public GroupSpec named(String otherName) {
    return new GroupSpec(otherName, sink, policy, dispatch);
  }

  /**
   * How a group hands its partitions' batches to its sink.
   *
   * @param maxEventsPerCall the most events the batches of several partitions bring to one sink call
   * @param keyedInFlight    0 for shared calls; else events go to the sink one by one, one key (author) at a
   *                         time in stream order and different keys concurrently, at most this many at once
   *                         in this process ({@link KeyOrderedDispatcher}); a partition's next batches flow
   *                         while earlier ones wait on slow keys
   * @param minCallGapMillis shared calls only: the least time between the starts of two sink calls, so that
   *                         at moderate rates a call carries several partitions' batches (0: none)
   */
  public record Dispatch(int maxEventsPerCall, int keyedInFlight, long minCallGapMillis) {

    /** The least time between the starts of two shared calls of a group. */
    public static final long SHARED_CALL_GAP_MILLIS = 20;

    /**
     * Batches that arrive while a call runs wait and go together in the next one, at most 2,000 events:
     * one database transaction or one bulk request for many partitions (the counter, search); a call starts
     * at least {@value #SHARED_CALL_GAP_MILLIS} ms after the previous one, so that at moderate rates it
     * carries several partitions' batches instead of one each.
     */
    public static final Dispatch SHARED_CALLS = new Dispatch(2_000, 0, SHARED_CALL_GAP_MILLIS);

    public Dispatch(int maxEventsPerCall, int keyedInFlight) {
      this(maxEventsPerCall, keyedInFlight, 0);
    }

    public Dispatch {
      if (minCallGapMillis < 0) {
        throw new IllegalArgumentException("minCallGapMillis must not be negative");
      }
      if (maxEventsPerCall < 1) {
        throw new IllegalArgumentException("maxEventsPerCall must be positive");
      }
      if (keyedInFlight < 0) {
        throw new IllegalArgumentException("keyedInFlight must not be negative");
      }
    }

    /** One event per sink call, in order per key, up to {@code maxInFlight} keys at once (subscriptions). */
    public static Dispatch keyOrdered(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight must be positive");
      }
      return new Dispatch(1, maxInFlight);
    }

    public boolean keyed() {
      return keyedInFlight > 0;
    }
  }
}
