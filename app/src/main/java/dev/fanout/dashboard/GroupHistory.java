package dev.fanout.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} samples of one group, oldest first. Samples must be added in time order;
 * when full, the oldest is dropped. Not thread-safe: the sampler owns it.
 */
final class GroupHistory {

  private final int capacity;
  private final ArrayDeque<GroupSample> samples;

  GroupHistory(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("capacity must be at least 2");
    }
    this.capacity = capacity;
    this.samples = new ArrayDeque<>(capacity);
  }

  void add(GroupSample sample) {
    if (!samples.isEmpty() && sample.atMillis() < samples.peekLast().atMillis()) {
      throw new IllegalArgumentException("samples must be added in time order");
    }
    if (samples.size() == capacity) {
      samples.pollFirst();
    }
    samples.addLast(sample);
  }

  /** Every sample held, oldest first. */
  List<GroupSample> all() {
    return new ArrayList<>(samples);
  }

  /** The newest {@code n} samples (fewer when fewer are held), oldest first. */
  List<GroupSample> last(int n) {
    List<GroupSample> all = all();
    return all.subList(Math.max(0, all.size() - n), all.size());
  }

  GroupSample newest() {
    return samples.peekLast();
  }

  boolean isEmpty() {
    return samples.isEmpty();
  }
}
