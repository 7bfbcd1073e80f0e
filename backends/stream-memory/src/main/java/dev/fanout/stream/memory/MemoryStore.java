package dev.fanout.stream.memory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one broker holds: the topics with their records, and the consumer groups with their members and
 * committed offsets. A stream opened without the {@code instance} setting has a private store; streams that
 * name the same instance share one store, as clients of one broker do. A named store lives while a stream
 * is attached to it: when the last one closes, its records and groups are gone.
 *
 * <p>Thread-safe: the maps are concurrent, the registry of named stores is guarded by this class.
 */
final class MemoryStore {

  // named stores with at least one stream attached; guarded by MemoryStore.class
  private static final Map<String, MemoryStore> NAMED = new HashMap<>();

  private final String name;
  private final MemoryStreamOptions options;
  private final ConcurrentHashMap<String, MemoryTopic> topics = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
  // streams attached to a named store; guarded by MemoryStore.class
  private int attached;

  private MemoryStore(String name, MemoryStreamOptions options) {
    this.name = name;
    this.options = options;
  }

  /**
   * A private store, or the named one of {@code options.instance()}, created by its first stream.
   *
   * @throws IllegalArgumentException when the named store exists with other retention settings
   */
  static MemoryStore attach(MemoryStreamOptions options) {
    if (options.instance() == null) {
      return new MemoryStore(null, options);
    }
    synchronized (MemoryStore.class) {
      MemoryStore store = NAMED.computeIfAbsent(options.instance(), n -> new MemoryStore(n, options));
      if (store.options.retentionRecords() != options.retentionRecords()
          || !java.util.Objects.equals(store.options.retentionBytes(), options.retentionBytes())
          || store.options.heapShare() != options.heapShare()) {
        throw new IllegalArgumentException("memory backend instance '" + options.instance() + "' is open with "
            + MemoryStreamOptions.RETENTION_RECORDS + "=" + store.options.retentionRecords() + ", "
            + MemoryStreamOptions.RETENTION_BYTES + "=" + store.options.retentionBytes() + " and "
            + MemoryStreamOptions.HEAP_SHARE + "=" + store.options.heapShare()
            + "; a stream attaching to it must not set others");
      }
      store.attached++;
      return store;
    }
  }

  /** Detaches one stream; the last one to leave a store drops it, and gives its share of the heap back. */
  void detach() {
    if (name != null) {
      synchronized (MemoryStore.class) {
        if (--attached > 0) {
          return;
        }
        NAMED.remove(name, this);
      }
    }
    for (MemoryTopic topic : topics.values()) {
      HeapBudget.JVM.remove(topic.logs());
    }
  }

  MemoryTopic topic(String topic) {
    return topics.get(topic);
  }

  /**
   * Creates the topic unless it exists; returns the one that exists. A new topic's partitions go under the heap
   * budget, or, with a fixed byte retention, must fit beside the store's other partitions.
   *
   * @throws IllegalArgumentException when the fixed byte retention of every partition would not fit in the heap
   */
  MemoryTopic createTopic(String topic, int partitions) {
    MemoryTopic existing = topics.get(topic);
    if (existing != null) {
      return existing;
    }
    options.requireFits(partitionCount() + partitions);
    boolean[] created = {false};
    MemoryTopic result = topics.computeIfAbsent(topic, n -> {
      created[0] = true;
      return new MemoryTopic(n, partitions, options);
    });
    if (created[0] && options.retentionBytes() == null) {
      HeapBudget.JVM.add(result.logs(), options.heapShare());
    }
    return result;
  }

  private int partitionCount() {
    int count = 0;
    for (MemoryTopic topic : topics.values()) {
      count += topic.partitions();
    }
    return count;
  }

  /**
   * Removes a topic with its records, and the groups that read it (a group reads one topic, so its offsets
   * are all on it).
   *
   * @throws IllegalArgumentException for an unknown topic
   * @throws IllegalStateException    while a group with members reads it; its groups without members may be
   *                                  gone already when a member joined one of the others meanwhile
   */
  void deleteTopic(String name) {
    MemoryTopic topic = topics.get(name);
    if (topic == null) {
      throw new IllegalArgumentException("unknown topic '" + name + "'");
    }
    List<String> readers = new ArrayList<>();
    List<String> live = new ArrayList<>();
    for (ConsumerGroup group : groups.values()) {
      if (group.topic().equals(name)) {
        readers.add(group.name());
        if (group.hasMembers()) {
          live.add(group.name());
        }
      }
    }
    if (live.isEmpty()) {
      for (String reader : readers) {
        if (!deleteGroupIfIdle(reader)) {
          live.add(reader);
        }
      }
    }
    if (!live.isEmpty()) {
      live.sort(null);
      throw new IllegalStateException("cannot delete topic '" + name + "': groups with live members read it "
          + live + "; stop them first");
    }
    if (topics.remove(name, topic)) {
      HeapBudget.JVM.remove(topic.logs());
    }
  }

  /**
   * Removes a group with its committed offsets.
   *
   * @throws IllegalArgumentException for an unknown group
   * @throws IllegalStateException    while it has members, naming them
   */
  void deleteGroup(String name) {
    groups.compute(name, (n, group) -> {
      if (group == null) {
        throw new IllegalArgumentException("unknown group '" + name + "'");
      }
      if (!group.delete()) {
        throw new IllegalStateException("cannot delete group '" + name + "': it has live members "
            + group.ownership().keySet() + "; they must leave first");
      }
      return null;
    });
  }

  // Removes the group unless it has members; true when it is gone.
  private boolean deleteGroupIfIdle(String name) {
    boolean[] kept = {false};
    groups.computeIfPresent(name, (n, group) -> {
      kept[0] = !group.delete();
      return kept[0] ? group : null;
    });
    return !kept[0];
  }

  List<MemoryTopic> topics() {
    return new ArrayList<>(topics.values());
  }

  ConsumerGroup existingGroup(String group) {
    return groups.get(group);
  }

  List<String> groupNames() {
    return new ArrayList<>(groups.keySet());
  }

  /** The group called {@code group}, created on first use; a group reads exactly one topic. */
  ConsumerGroup group(String group, MemoryTopic topic) {
    return readsOnly(groups.computeIfAbsent(group, n -> new ConsumerGroup(n, topic.name(), topic.partitions())),
        topic);
  }

  /** The group called {@code group} if it exists, else null; fails when it reads another topic. */
  ConsumerGroup existingGroup(String group, MemoryTopic topic) {
    ConsumerGroup existing = groups.get(group);
    return existing == null ? null : readsOnly(existing, topic);
  }

  private static ConsumerGroup readsOnly(ConsumerGroup group, MemoryTopic topic) {
    if (!group.topic().equals(topic.name())) {
      throw new IllegalArgumentException("group '" + group.name() + "' reads topic '" + group.topic()
          + "'; a group reads exactly one topic");
    }
    return group;
  }
}
