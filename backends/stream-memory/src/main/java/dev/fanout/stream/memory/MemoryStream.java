package dev.fanout.stream.memory;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamAdmin;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.spi.ArgumentChecks;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The in-memory backend: partitioned logs and consumer groups inside this JVM, with Kafka's semantics
 * (offsets, groups that read independently, at-least-once delivery, rebalancing).
 *
 * <p>Each instance is an independent broker: two streams opened from the provider share nothing.
 * One instance is safe to share between verticles; every method may be called from any thread. Appends
 * hold a partition's lock for a few hundred nanoseconds and never wait on anything else, so sending
 * from an event loop is fine. Nothing survives the JVM.
 */
final class MemoryStream implements EventStream {

  private final Vertx vertx;
  private final MemoryStreamOptions options;
  private final ConcurrentHashMap<String, MemoryTopic> topics = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
  // members this stream created and that have not left; any thread
  private final Set<MemoryGroupMember> members = ConcurrentHashMap.newKeySet();
  private final MemoryAdmin admin;
  private volatile boolean closed;

  MemoryStream(Vertx vertx, MemoryStreamOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.admin = new MemoryAdmin(this);
  }

  @Override
  public String backend() {
    return MemoryStreamProvider.NAME;
  }

  @Override
  public boolean survivesRestart() {
    return false;
  }

  @Override
  public Future<RecordPosition> send(String topic, String key, Map<String, String> headers, byte[] value) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("stream is closed"));
    }
    MemoryTopic target = topics.get(topic);
    if (target == null) {
      return Future.failedFuture(new IllegalArgumentException("unknown topic '" + topic + "'"));
    }
    if (value == null) {
      return Future.failedFuture(new NullPointerException("value"));
    }
    IllegalArgumentException badHeaders = ArgumentChecks.badHeaders(headers);
    if (badHeaders != null) {
      return Future.failedFuture(badHeaders);
    }
    Map<String, String> copy = headers == null || headers.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    return Future.succeededFuture(target.append(key, copy, value.clone()));
  }

  @Override
  public Future<GroupMember> subscribe(SubscribeOptions options, BatchHandler handler) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("stream is closed"));
    }
    MemoryTopic topic = topics.get(options.topic());
    if (topic == null) {
      return Future.failedFuture(new IllegalArgumentException("unknown topic '" + options.topic() + "'"));
    }
    ConsumerGroup group;
    try {
      group = group(options.group(), topic);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Context context = vertx.getOrCreateContext();
    String memberId = options.group() + "-" + UUID.randomUUID();
    MemoryGroupMember member = new MemoryGroupMember(vertx, context, memberId, options, handler, topic,
        group, members::remove);
    members.add(member);
    return member.start();
  }

  @Override
  public Future<Void> pauseGroup(String group) {
    return eachMember(group, GroupMember::pause);
  }

  @Override
  public Future<Void> resumeGroup(String group) {
    return eachMember(group, GroupMember::resume);
  }

  @Override
  public StreamAdmin admin() {
    return admin;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return eachMember(null, GroupMember::leave);
  }

  MemoryTopic topic(String name) {
    return topics.get(name);
  }

  /** Creates the topic unless it exists; returns the one that exists. */
  MemoryTopic createTopic(String name, int partitions) {
    return topics.computeIfAbsent(name, n -> new MemoryTopic(n, partitions, options));
  }

  List<MemoryTopic> topics() {
    return new ArrayList<>(topics.values());
  }

  ConsumerGroup existingGroup(String name) {
    return groups.get(name);
  }

  List<String> groupNames() {
    return new ArrayList<>(groups.keySet());
  }

  /** The group called {@code name}, created on first use; a group reads exactly one topic. */
  ConsumerGroup group(String name, MemoryTopic topic) {
    return readsOnly(groups.computeIfAbsent(name, n -> new ConsumerGroup(n, topic.name(), topic.partitions())),
        topic);
  }

  /** The group called {@code name} if it exists, else null; fails when it reads another topic. */
  ConsumerGroup existingGroup(String name, MemoryTopic topic) {
    ConsumerGroup group = groups.get(name);
    return group == null ? null : readsOnly(group, topic);
  }

  private static ConsumerGroup readsOnly(ConsumerGroup group, MemoryTopic topic) {
    if (!group.topic().equals(topic.name())) {
      throw new IllegalArgumentException("group '" + group.name() + "' reads topic '" + group.topic()
          + "'; a group reads exactly one topic");
    }
    return group;
  }

  private Future<Void> eachMember(String group, Function<GroupMember, Future<Void>> action) {
    List<Future<Void>> results = new ArrayList<>();
    for (MemoryGroupMember member : members) {
      if (group == null || member.group().equals(group)) {
        results.add(action.apply(member));
      }
    }
    return Future.all(results).mapEmpty();
  }
}
