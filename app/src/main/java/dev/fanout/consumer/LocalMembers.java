package dev.fanout.consumer;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The members of one group that run in this process and are in the group now, and whether they should be
 * paused ({@link PauseState}). A member tells it when it joins and leaves; a member that joins while the
 * group is paused is paused at once. Safe to use from any thread.
 */
final class LocalMembers {

  private final Set<EventConsumerVerticle> members = ConcurrentHashMap.newKeySet();
  private final PauseState pauses = new PauseState();

  void joined(EventConsumerVerticle member) {
    members.add(member);
    if (pauses.paused()) {
      member.pause();
    }
  }

  void left(EventConsumerVerticle member) {
    members.remove(member);
  }

  PauseState pauses() {
    return pauses;
  }

  void pauseAll() {
    members.forEach(EventConsumerVerticle::pause);
  }

  void resumeAll() {
    members.forEach(EventConsumerVerticle::resume);
  }

  int size() {
    return members.size();
  }

  int batchesInFlight() {
    return members.stream().mapToInt(EventConsumerVerticle::inFlight).sum();
  }

  /** A member with a batch in flight if there is one (a crash then abandons work), else any member. */
  Optional<EventConsumerVerticle> crashCandidate() {
    return members.stream().filter(m -> m.inFlight() > 0).findFirst().or(() -> members.stream().findFirst());
  }
}
