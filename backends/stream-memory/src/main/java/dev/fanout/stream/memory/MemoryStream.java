package dev.fanout.stream.memory;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamAdmin;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.spi.ArgumentChecks;
import dev.fanout.stream.spi.Calls;
import dev.fanout.stream.spi.StreamMembers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The in-memory backend: partitioned logs and consumer groups inside this JVM, with Kafka's semantics
 * (offsets, groups that read independently, at-least-once delivery, rebalancing).
 *
 * <p>Each stream is an independent broker (two streams opened from the provider share nothing) unless both
 * name the same {@code instance}: then they share one {@link MemoryStore}, as two clients of one broker, and
 * a group may have members in both. One stream is safe to share between verticles; every method may be
 * called from any thread. Appends
 * hold a partition's lock for a few hundred nanoseconds and never wait on anything else, so sending
 * from an event loop is fine. Nothing survives the JVM.
 */
final class MemoryStream implements EventStream {

  private final Vertx vertx;
  private final MemoryStore store;
  private final StreamMembers<MemoryGroupMember> members = new StreamMembers<>();
  private final MemoryAdmin admin;

  /** @throws IllegalArgumentException when the options name an instance that was opened with other settings */
  MemoryStream(Vertx vertx, MemoryStreamOptions options) {
    this.vertx = vertx;
    this.store = MemoryStore.attach(options);
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
    return Calls.call(() -> {
      members.requireOpen();
      ArgumentChecks.requireSend(topic, headers, value);
      MemoryTopic target = existingTopic(topic);
      // the log copies the key, headers and value into its own storage
      return Future.succeededFuture(target.append(key, headers == null ? Map.of() : headers, value));
    });
  }

  @Override
  public Future<GroupMember> subscribe(SubscribeOptions options, BatchHandler handler) {
    return Calls.call(() -> {
      members.requireOpen();
      ArgumentChecks.requireSubscribe(options, handler);
      MemoryTopic topic = existingTopic(options.topic());
      ConsumerGroup group = store.group(options.group(), topic);
      Context context = vertx.getOrCreateContext();
      String memberId = options.group() + "-" + UUID.randomUUID();
      MemoryGroupMember member = new MemoryGroupMember(vertx, context, memberId, options, handler, topic,
          group, members::remove);
      members.add(member);
      return member.start().<GroupMember>compose(joined -> {
        if (store.topic(topic.name()) == topic) {
          return Future.succeededFuture(joined);
        }
        // the topic was deleted while the member joined: it must not read records no one can see
        return joined.leave().transform(ignored -> Future.failedFuture(
            new IllegalArgumentException("unknown topic '" + topic.name() + "': deleted while subscribing")));
      }).onFailure(e -> members.remove(member));
    });
  }

  @Override
  public Future<Void> pauseGroup(String group) {
    return members.pauseGroup(group);
  }

  @Override
  public Future<Void> resumeGroup(String group) {
    return members.resumeGroup(group);
  }

  @Override
  public StreamAdmin admin() {
    return admin;
  }

  /** Every member of this stream leaves its group, then the stream detaches from its store. */
  @Override
  public Future<Void> close() {
    return members.close(GroupMember::leave, () -> {
      store.detach();
      return Future.succeededFuture();
    });
  }

  /** The topic called {@code name}; throws an IllegalArgumentException when there is none. */
  MemoryTopic existingTopic(String name) {
    MemoryTopic topic = store.topic(name);
    if (topic == null) {
      throw new IllegalArgumentException("unknown topic '" + name + "'");
    }
    return topic;
  }

  /** The topics and groups this stream sees: its own, or those of its named instance. */
  MemoryStore store() {
    return store;
  }

  /** The topic called {@code name}, null when there is none. */
  MemoryTopic topic(String name) {
    return store.topic(name);
  }

  /** Ids of the members of {@code group} that this stream created and that have not left. */
  Set<String> memberIds(String group) {
    return members.ids(group);
  }
}
