package dev.fanout.stream.kafka;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.KeyPartitioner;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamAdmin;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.spi.ArgumentChecks;
import dev.fanout.stream.spi.Calls;
import dev.fanout.stream.spi.StreamMembers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaWriteStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The stream over one Kafka cluster: an idempotent producer acknowledged by all in-sync replicas, one
 * consumer per group member, and the native admin client.
 *
 * <p>Keys are partitioned by this class with {@link KeyPartitioner} and the partition is passed to Kafka,
 * so every backend puts a key on the same partition. Null keys go round-robin over the partitions.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
final class KafkaEventStream implements EventStream {

  private final Vertx vertx;
  private final KafkaStreamOptions options;
  private final KafkaWriteStream<String, byte[]> producer;
  private final Admin admin;
  private final KafkaStreamAdmin streamAdmin;
  // a random token in member ids, so members of two processes never share an id
  private final String instance = UUID.randomUUID().toString().substring(0, 8);
  // any thread
  private final AtomicLong memberCounter = new AtomicLong();
  // any thread: partition count per topic, looked up once
  private final Map<String, Future<Integer>> partitionCounts = new ConcurrentHashMap<>();
  // any thread: round-robin position of null keys per topic
  private final Map<String, AtomicInteger> spread = new ConcurrentHashMap<>();
  // members created by this stream that have not left, and whether the stream is closed
  private final StreamMembers<KafkaGroupMember> members = new StreamMembers<>();
  // any thread: per group a member of this stream joined, the offset resets its members met
  private final Map<String, AtomicLong> offsetResets = new ConcurrentHashMap<>();

  private KafkaEventStream(Vertx vertx, KafkaStreamOptions options, KafkaWriteStream<String, byte[]> producer,
                           Admin admin) {
    this.vertx = vertx;
    this.options = options;
    this.producer = producer;
    this.admin = admin;
    this.streamAdmin = new KafkaStreamAdmin(vertx, admin, this, options);
  }

  /**
   * Creates the clients on a worker and checks that the cluster answers; fails with a message naming
   * the bootstrap servers when it does not within the request timeout.
   */
  static Future<EventStream> open(Vertx vertx, KafkaStreamOptions options) {
    Context context = vertx.getOrCreateContext();
    return context.executeBlocking(() -> {
      Admin admin = Admin.create(options.adminProperties());
      try {
        return new Clients(admin, new KafkaProducer<String, byte[]>(options.producerProperties()));
      } catch (RuntimeException e) {
        admin.close(Duration.ZERO);
        throw e;
      }
    }).compose(clients -> KafkaFutureBridge.on(context, clients.admin().describeCluster().nodes())
        .<EventStream>map(nodes -> new KafkaEventStream(vertx, options,
            KafkaWriteStream.create(vertx, clients.producer()), clients.admin()))
        .recover(error -> context.executeBlocking(() -> {
          clients.producer().close(Duration.ZERO);
          clients.admin().close(Duration.ZERO);
          return null;
        }).transform(ignored -> Future.failedFuture(new IllegalStateException(
            "cannot reach Kafka at " + options.bootstrapServers() + ": " + error.getMessage(), error)))));
  }

  private record Clients(Admin admin, KafkaProducer<String, byte[]> producer) {
  }

  @Override
  public String backend() {
    return KafkaStreamProvider.NAME;
  }

  @Override
  public boolean survivesRestart() {
    return true;
  }

  @Override
  public Future<RecordPosition> send(String topic, String key, Map<String, String> headers, byte[] value) {
    return Calls.call(() -> {
      members.requireOpen();
      ArgumentChecks.requireSend(topic, headers, value);
      return partitionCount(topic).compose(partitions -> {
        int partition = key == null
            ? Math.floorMod(spread.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement(), partitions)
            : KeyPartitioner.partition(key, partitions);
        return producer.send(RecordCodec.toKafka(topic, partition, key, headers, value))
            .map(metadata -> new RecordPosition(metadata.partition(), metadata.offset()));
      });
    });
  }

  /**
   * Checks the topic and that the group reads no other (see {@link KafkaStreamAdmin#requireReads}), then
   * starts the member; fails with a TimeoutException after {@code subscribe.timeout.ms} without assignment.
   */
  @Override
  public Future<GroupMember> subscribe(SubscribeOptions subscription, BatchHandler handler) {
    return Calls.call(() -> {
      members.requireOpen();
      ArgumentChecks.requireSubscribe(subscription, handler);
      Context context = vertx.getOrCreateContext();
      String memberId = options.clientIdPrefix() + "-" + subscription.group() + "-" + instance + "-"
          + memberCounter.incrementAndGet();
      offsetResets.putIfAbsent(subscription.group(), new AtomicLong());
      return partitionCount(subscription.topic())
          .compose(partitions -> streamAdmin.requireReads(subscription.group(), subscription.topic()))
          .compose(v -> {
            KafkaGroupMember member = new KafkaGroupMember(this, vertx, context, options, subscription, handler,
                memberId);
            members.add(member);
            return member.start().onFailure(e -> members.remove(member));
          });
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
    return streamAdmin;
  }

  /**
   * Every member leaves (one whose batches in flight do not end within {@code request.timeout.ms}
   * crashes instead), then the producer flushes and closes, then the admin client closes.
   */
  @Override
  public Future<Void> close() {
    Context context = vertx.getOrCreateContext();
    // a handler that never completes must not keep the stream open: past the timeout, crash
    return members.close(
        member -> member.leave().timeout(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .recover(e -> member.crash()),
        () -> producer.close(options.requestTimeout().toMillis())
            .transform(ignored -> context.executeBlocking(() -> {
              admin.close(options.requestTimeout());
              return null;
            }))
            .mapEmpty());
  }

  // ---- for the admin and the members ----

  /** The live members of {@code group} created by this stream. */
  List<KafkaGroupMember> members(String group) {
    List<KafkaGroupMember> result = new ArrayList<>(members.of(group));
    result.removeIf(member -> !member.active());
    return result;
  }

  /**
   * Ids of every member of {@code group} created by this stream that has not closed yet, leaving ones
   * included: the coordinator may still list them.
   */
  Set<String> memberIds(String group) {
    return members.ids(group);
  }

  /** Counts a member's move to its start position because its offset had left the log. */
  void countOffsetReset(String group) {
    offsetResets.computeIfAbsent(group, g -> new AtomicLong()).incrementAndGet();
  }

  /**
   * The offset resets the members of this stream met in {@code group} since it opened; -1 when none of
   * them joined it (Kafka keeps no count, and other processes' members are not seen).
   */
  long offsetResets(String group) {
    AtomicLong count = offsetResets.get(group);
    return count == null ? -1 : count.get();
  }

  void forget(KafkaGroupMember member) {
    members.remove(member);
  }

  /** The groups in which a live member of this stream reads {@code topic}. */
  Set<String> groupsReading(String topic) {
    Set<String> groups = new TreeSet<>();
    for (KafkaGroupMember member : members.all()) {
      if (member.active() && member.topic().equals(topic)) {
        groups.add(member.group());
      }
    }
    return groups;
  }

  /** Forgets a deleted topic's partition count: a topic created again under its name may have another. */
  void forgetPartitions(String topic) {
    partitionCounts.remove(topic);
  }

  /** Records a topic's partition count, as just created. */
  void knowPartitions(String topic, int partitions) {
    partitionCounts.put(topic, Future.succeededFuture(partitions));
  }

  /** The partition count of {@code topic}, looked up once; fails for an unknown topic. */
  Future<Integer> partitionCount(String topic) {
    Future<Integer> known = partitionCounts.get(topic);
    if (known != null) {
      return known;
    }
    Context context = vertx.getOrCreateContext();
    Future<Integer> lookup = KafkaFutureBridge.on(context,
            admin.describeTopics(List.of(topic)).allTopicNames())
        .map(descriptions -> descriptions.get(topic).partitions().size())
        .recover(error -> Future.failedFuture(error instanceof UnknownTopicOrPartitionException
            ? new IllegalArgumentException("unknown topic '" + topic + "'", error)
            : error));
    Future<Integer> raced = partitionCounts.putIfAbsent(topic, lookup);
    if (raced != null) {
      return raced;
    }
    lookup.onFailure(e -> partitionCounts.remove(topic, lookup));
    return lookup;
  }
}
