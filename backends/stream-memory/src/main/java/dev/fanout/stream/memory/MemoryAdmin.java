package dev.fanout.stream.memory;

import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.OffsetSpec;
import dev.fanout.stream.StreamAdmin;
import dev.fanout.stream.TopicDescription;
import dev.fanout.stream.spi.ArgumentChecks;
import dev.fanout.stream.spi.Calls;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Admin operations of the in-memory backend; they complete at once, never block and never throw. */
final class MemoryAdmin implements StreamAdmin {

  private final MemoryStream stream;

  MemoryAdmin(MemoryStream stream) {
    this.stream = stream;
  }

  @Override
  public Future<Void> createTopic(String topic, int partitions, int replicationFactor) {
    return Calls.call(() -> {
      ArgumentChecks.requireCreateTopic(topic, partitions, replicationFactor);
      if (replicationFactor != 1) {
        throw new IllegalArgumentException("the in-memory backend keeps one copy of each record: replication"
            + " factor must be 1, was " + replicationFactor);
      }
      MemoryTopic existing = stream.store().createTopic(topic, partitions);
      if (existing.partitions() != partitions) {
        throw new IllegalStateException("topic '" + topic + "' exists with " + existing.partitions()
            + " partitions, not " + partitions);
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<List<TopicDescription>> listTopics() {
    return Calls.call(() -> {
      List<TopicDescription> result = new ArrayList<>();
      for (MemoryTopic topic : stream.store().topics()) {
        List<TopicDescription.PartitionRange> ranges = new ArrayList<>();
        for (int p = 0; p < topic.partitions(); p++) {
          PartitionLog log = topic.log(p);
          ranges.add(new TopicDescription.PartitionRange(p, log.startOffset(), log.endOffset()));
        }
        result.add(new TopicDescription(topic.name(), ranges));
      }
      result.sort(Comparator.comparing(TopicDescription::name));
      return Future.succeededFuture(result);
    });
  }

  @Override
  public Future<List<String>> listGroups() {
    return Calls.call(() -> {
      List<String> names = stream.store().groupNames();
      names.sort(null);
      return Future.succeededFuture(names);
    });
  }

  @Override
  public Future<GroupDescription> describeGroup(String name) {
    return Calls.call(() -> {
      ArgumentChecks.requireName("group", name);
      ConsumerGroup group = stream.store().existingGroup(name);
      if (group == null) {
        throw new IllegalArgumentException("unknown group '" + name + "'");
      }
      MemoryTopic topic = stream.topic(group.topic());
      List<GroupDescription.Member> members = new ArrayList<>();
      group.ownership().forEach((id, partitions) -> members.add(new GroupDescription.Member(id, partitions)));
      long[] committed = group.committedOffsets();
      List<GroupDescription.PartitionLag> lags = new ArrayList<>();
      for (int p = 0; p < committed.length; p++) {
        PartitionLog log = topic.log(p);
        long end = log.endOffset();
        long lag = committed[p] >= 0 ? Math.max(0, end - committed[p]) : end - log.startOffset();
        lags.add(new GroupDescription.PartitionLag(p, committed[p], end, lag));
      }
      return Future.succeededFuture(new GroupDescription(name, group.topic(), group.state(), members, lags,
          group.offsetResets()));
    });
  }

  @Override
  public Future<Map<Integer, Long>> resetOffsets(String groupName, String topicName, OffsetSpec spec,
                                                 boolean preview) {
    return Calls.call(() -> {
      ArgumentChecks.requireReset(groupName, topicName, spec);
      MemoryTopic topic = stream.existingTopic(topicName);
      // a preview must not create the group: it only looks
      ConsumerGroup group = preview
          ? stream.store().existingGroup(groupName, topic)
          : stream.store().group(groupName, topic);
      if (group != null && !preview) {
        Set<String> foreign = new TreeSet<>(group.ownership().keySet());
        foreign.removeAll(stream.memberIds(groupName));
        if (!foreign.isEmpty()) {
          // as under Kafka: a stream moves only members it created, and is refused before it changes anything
          throw new IllegalStateException("cannot reset offsets of group '" + groupName
              + "': it has active members outside this stream " + foreign + "; stop them first");
        }
      }
      Map<Integer, Long> offsets = new TreeMap<>();
      for (int p = 0; p < topic.partitions(); p++) {
        PartitionLog log = topic.log(p);
        long start = log.startOffset();
        long end = log.endOffset();
        long target = switch (spec.kind()) {
          case EARLIEST -> start;
          case LATEST -> end;
          case TIMESTAMP -> log.offsetForTimestamp(spec.value());
          case OFFSET -> Math.max(start, Math.min(end, spec.value()));
        };
        offsets.put(p, target);
      }
      if (group != null && !preview) {
        group.reset(offsets);
      }
      return Future.succeededFuture(offsets);
    });
  }

  @Override
  public Future<Void> deleteTopic(String topic) {
    return Calls.call(() -> {
      ArgumentChecks.requireName("topic", topic);
      stream.store().deleteTopic(topic);
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> deleteGroup(String group) {
    return Calls.call(() -> {
      ArgumentChecks.requireName("group", group);
      stream.store().deleteGroup(group);
      return Future.succeededFuture();
    });
  }
}
