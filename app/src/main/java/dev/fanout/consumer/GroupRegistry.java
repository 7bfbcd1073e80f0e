package dev.fanout.consumer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The consumer groups this process runs, by name, in the order they were added: the one list everything
 * that walks groups reads (the relay's gap healing, the trace, the dashboard, metrics, faults, the admin
 * routes). It is live: readers ask it each time instead of copying it, so a group added or removed at
 * runtime is seen by all of them on their next read.
 *
 * <p>Safe to read from every event loop without locking: each change publishes a new immutable snapshot
 * (copy on write), which suits a list read on every request and changed a few times in its life.
 */
public final class GroupRegistry {

  // replaced whole on every change; never mutated after publication
  private volatile Map<String, LocalGroup> snapshot = Map.of();
  private final List<Consumer<LocalGroup>> onRemove = new ArrayList<>(); // guarded by this

  /** Adds a group; refused when one of that name is already registered. */
  public synchronized void add(LocalGroup group) {
    if (snapshot.containsKey(group.name())) {
      throw new IllegalStateException("group " + group.name() + " is already registered");
    }
    Map<String, LocalGroup> next = new LinkedHashMap<>(snapshot);
    next.put(group.name(), group);
    snapshot = Collections.unmodifiableMap(next);
  }

  /**
   * Removes a group from the registry (its members are not stopped here: the caller stops them) and tells
   * the listeners of {@link #onRemove}; returns it, or empty when none had that name.
   */
  public Optional<LocalGroup> remove(String name) {
    LocalGroup removed;
    List<Consumer<LocalGroup>> listeners;
    synchronized (this) {
      removed = snapshot.get(name);
      if (removed == null) {
        return Optional.empty();
      }
      Map<String, LocalGroup> next = new LinkedHashMap<>(snapshot);
      next.remove(name);
      snapshot = Collections.unmodifiableMap(next);
      listeners = List.copyOf(onRemove);
    }
    listeners.forEach(listener -> listener.accept(removed));
    return Optional.of(removed);
  }

  /** Called with each group removed from now on (e.g. to drop its meters). */
  public synchronized void onRemove(Consumer<LocalGroup> listener) {
    onRemove.add(listener);
  }

  public Optional<LocalGroup> find(String name) {
    return Optional.ofNullable(snapshot.get(name));
  }

  /** The groups now, in the order they were added. */
  public List<LocalGroup> groups() {
    return List.copyOf(snapshot.values());
  }

  /** The groups' names now, in the order they were added. */
  public List<String> names() {
    return List.copyOf(snapshot.keySet());
  }

  /** The groups now, by name, in the order they were added: an unmodifiable snapshot. */
  public Map<String, LocalGroup> byName() {
    return snapshot;
  }
}
