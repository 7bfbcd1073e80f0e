package dev.fanout.app;

import dev.fanout.events.BlogEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Checks the order in which a reader saw blog events. */
public final class EventOrder {

  private EventOrder() {
  }

  /**
   * The places where a blog's events, taken at their first arrival (at-least-once delivery may repeat
   * them later), did not come in increasing version order; empty when the order held.
   */
  public static List<String> violations(List<BlogEvent> seen) {
    Map<UUID, Integer> lastVersion = new HashMap<>();
    Set<UUID> firstSeen = new HashSet<>();
    List<String> outOfOrder = new ArrayList<>();
    for (BlogEvent event : seen) {
      if (firstSeen.add(event.eventId())) {
        Integer previous = lastVersion.put(event.blogId(), event.version());
        if (previous != null && previous >= event.version()) {
          outOfOrder.add(event.blogId() + ": " + previous + " then " + event.version());
        }
      }
    }
    return outOfOrder;
  }
}
