package dev.fanout.consumer;

import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;

/**
 * Where a group leaves the trace of its trouble with single events, so that anyone can later ask why an
 * event is not handled yet ({@code GET /api/events/{eventId}}): failed attempts, dead-lettering, replays.
 * A group that handles its events at the first try leaves nothing here.
 *
 * <p>Implementations keep their writes in the order they were told, and never fail the group: a trail
 * that cannot be written is a trace less precise, not an event lost. Safe to call from any thread.
 */
public interface GroupTrail {

  /** Leaves no trace. */
  GroupTrail NONE = new GroupTrail() {
    @Override
    public void failed(String group, List<UUID> eventIds, Throwable error) {
    }

    @Override
    public Future<Void> deadLettered(String group, UUID eventId, int attempts, Throwable error) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> replayed(String group, List<UUID> eventIds) {
      return Future.succeededFuture();
    }
  };

  /** One attempt of {@code group} at {@code eventIds} failed with {@code error}; returns at once. */
  void failed(String group, List<UUID> eventIds, Throwable error);

  /**
   * {@code group} dead-lettered {@code eventId} after {@code attempts} tries; completes when it is written
   * (or could not be), never with a failure.
   */
  Future<Void> deadLettered(String group, UUID eventId, int attempts, Throwable error);

  /** A replay of {@code group}'s dead letters handled {@code eventIds}; completes as {@link #deadLettered}. */
  Future<Void> replayed(String group, List<UUID> eventIds);
}
