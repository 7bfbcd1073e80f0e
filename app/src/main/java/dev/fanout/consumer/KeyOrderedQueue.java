package dev.fanout.consumer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bookkeeping of {@link KeyOrderedDispatcher}: which item of which key may start now. Plain state, no
 * I/O and no clock; every change returns what to start, and the caller starts it and reports it
 * {@link #done} later.
 *
 * <p>Invariants, true between any two calls:
 * <ul>
 *   <li>per key, items start in the order they were added, and at most one item of a key is running;</li>
 *   <li>at most {@code maxInFlight} items are running in total;</li>
 *   <li>a key is <i>ready</i> when none of its items runs and one waits; ready keys start in the order in
 *       which they became ready. A key whose item completes and that has more waiting goes to the back of
 *       the ready line, so one busy key never holds the others back;</li>
 *   <li>a slot is never left free while a key is ready (the ready line is empty or every slot is taken);</li>
 *   <li>a key with nothing running and nothing waiting is forgotten: {@link #keys()} counts only keys
 *       with work.</li>
 * </ul>
 * Each call starts at most one item (an add or a completion changes one key and frees at most one slot).
 *
 * <p>Not thread-safe: one owner calls it (the dispatcher, on its context).
 *
 * @param <E> what the caller queues per key (the dispatcher's pending task)
 */
final class KeyOrderedQueue<E> {

  /** One key's work: its waiting items, oldest first, and whether one of its items runs. */
  private static final class Lane<E> {
    final String key;
    final ArrayDeque<E> waiting = new ArrayDeque<>(2);
    boolean running;

    Lane(String key) {
      this.key = key;
    }
  }

  private final int maxInFlight;
  // only keys with an item running or waiting
  private final Map<String, Lane<E>> lanes = new HashMap<>();
  // the lanes that are ready, in the order they became ready; a lane appears at most once
  private final ArrayDeque<Lane<E>> ready = new ArrayDeque<>();
  private int inFlight;
  private int queued;
  private int keysWaiting;

  KeyOrderedQueue(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
  }

  /**
   * Queues {@code item} behind every earlier item of {@code key}.
   *
   * @return the item to start now (this one, or none when its key or every slot is busy)
   */
  Optional<E> add(String key, E item) {
    Lane<E> lane = lanes.computeIfAbsent(key, Lane::new);
    boolean hadWaiting = !lane.waiting.isEmpty();
    lane.waiting.addLast(item);
    queued++;
    if (!hadWaiting) {
      keysWaiting++;
      if (!lane.running) {
        ready.addLast(lane);
      }
    }
    return startNext();
  }

  /**
   * The running item of {@code key} completed (succeeded or failed, the same here).
   *
   * @return the item to start in the freed slot, of this key or another, or none
   * @throws IllegalStateException when no item of {@code key} is running
   */
  Optional<E> done(String key) {
    Lane<E> lane = lanes.get(key);
    if (lane == null || !lane.running) {
      throw new IllegalStateException("no item of key " + key + " is running");
    }
    lane.running = false;
    inFlight--;
    if (lane.waiting.isEmpty()) {
      lanes.remove(key);
    } else {
      ready.addLast(lane);
    }
    return startNext();
  }

  /**
   * Removes every waiting item; running items stay running and are still reported {@link #done}.
   *
   * @return the removed items, each key's in the order they were added (keys in no particular order)
   */
  List<E> removeWaiting() {
    List<E> removed = new ArrayList<>(queued);
    for (Iterator<Lane<E>> it = lanes.values().iterator(); it.hasNext(); ) {
      Lane<E> lane = it.next();
      removed.addAll(lane.waiting);
      lane.waiting.clear();
      if (!lane.running) {
        it.remove();
      }
    }
    ready.clear();
    queued = 0;
    keysWaiting = 0;
    return removed;
  }

  private Optional<E> startNext() {
    if (inFlight == maxInFlight || ready.isEmpty()) {
      return Optional.empty();
    }
    Lane<E> lane = ready.pollFirst();
    E item = lane.waiting.pollFirst();
    queued--;
    if (lane.waiting.isEmpty()) {
      keysWaiting--;
    }
    lane.running = true;
    inFlight++;
    return Optional.of(item);
  }

  /** Items started and not yet done. */
  int inFlight() {
    return inFlight;
  }

  /** Items added and not yet started. */
  int queued() {
    return queued;
  }

  /** Keys with at least one item waiting, behind their own running item or for a free slot. */
  int keysWaiting() {
    return keysWaiting;
  }

  /** Keys remembered: those with an item running or waiting. */
  int keys() {
    return lanes.size();
  }

  /** Nothing running, nothing waiting. */
  boolean idle() {
    return inFlight == 0 && queued == 0;
  }
}
