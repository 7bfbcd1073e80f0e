package dev.fanout.stream.kafka;

import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupState;
import dev.fanout.stream.OffsetSpec;
import dev.fanout.stream.StreamAdmin;
import dev.fanout.stream.TopicDescription;
import dev.fanout.stream.spi.ArgumentChecks;
import dev.fanout.stream.spi.Calls;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Topics and groups through Kafka's admin API. Offsets in descriptions are Kafka's own: committed
 * offsets of the group coordinator and log-end offsets of the partition leaders.
 *
 * <p>Thread-safe; futures complete on the caller's context.
 */
final class KafkaStreamAdmin implements StreamAdmin {

  private final Vertx vertx;
  private final ClusterQueries queries;
  private final KafkaEventStream stream;
  private final KafkaStreamOptions options;
  private final OffsetReset reset;
  private final Deletion deletion;

  KafkaStreamAdmin(Vertx vertx, Admin admin, KafkaEventStream stream, KafkaStreamOptions options) {
    this.vertx = vertx;
    this.queries = new ClusterQueries(vertx, admin);
    this.stream = stream;
    this.options = options;
    this.reset = new OffsetReset(vertx, queries, stream, options.requestTimeout());
    this.deletion = new Deletion(vertx, queries, stream, options.requestTimeout());
  }

  /**
   * Creates the topic with append-time timestamps; fails with an {@link IllegalArgumentException} when
   * the cluster has fewer brokers than the replication factor, and completes once every partition has
   * a leader, so the topic can be written at once.
   */
  @Override
  public Future<Void> createTopic(String topic, int partitions, int replicationFactor) {
    return Calls.call(() -> {
      ArgumentChecks.requireCreateTopic(topic, partitions, replicationFactor);
      return create(topic, partitions, replicationFactor);
    });
  }

  private Future<Void> create(String topic, int partitions, int replicationFactor) {
    return queries.call(queries.admin().describeCluster().nodes()).compose(nodes -> {
      if (nodes.size() < replicationFactor) {
        return Future.failedFuture(new IllegalArgumentException("cannot create topic '" + topic
            + "' with replication factor " + replicationFactor + ": the Kafka cluster at "
            + options.bootstrapServers() + " has " + nodes.size() + " live broker(s)"));
      }
      NewTopic newTopic = new NewTopic(topic, partitions, (short) replicationFactor)
          .configs(Map.of("message.timestamp.type", "LogAppendTime"));
      return queries.call(queries.admin().createTopics(List.of(newTopic)).all())
          .recover(error -> {
            if (error instanceof TopicExistsException) {
              return queries.partitions(topic).compose(existing -> existing.size() == partitions
                  ? Future.<Void>succeededFuture()
                  : Future.failedFuture(new IllegalStateException("topic '" + topic + "' exists with "
                      + existing.size() + " partitions, not " + partitions)));
            }
            if (error instanceof InvalidTopicException) {
              return Future.failedFuture(new IllegalArgumentException("cannot create topic '" + topic + "': "
                  + error.getMessage(), error));
            }
            if (error instanceof InvalidReplicationFactorException) {
              return Future.failedFuture(new IllegalArgumentException("cannot create topic '" + topic
                  + "' with replication factor " + replicationFactor + ": " + error.getMessage(), error));
            }
            return Future.failedFuture(error);
          })
          .compose(v -> awaitLeaders(topic, partitions, System.currentTimeMillis()
              + options.requestTimeout().toMillis()))
          .onSuccess(v -> stream.knowPartitions(topic, partitions));
    });
  }

  /**
   * Retries until every partition has a leader that serves it: the metadata names a leader and the
   * leader answers an offset request for it. Writing earlier can hit a leader that does not know yet
   * that it leads, which the idempotent producer has been seen to retry for minutes.
   */
  private Future<Void> awaitLeaders(String topic, int partitions, long deadline) {
    return queries.call(queries.admin().describeTopics(List.of(topic)).allTopicNames())
        .map(d -> d.get(topic).partitions().stream().filter(p -> p.leader() != null).count() == partitions)
        .compose(named -> !named ? Future.succeededFuture(false)
            : queries.offsets(topic, java.util.stream.IntStream.range(0, partitions).boxed().toList(),
                org.apache.kafka.clients.admin.OffsetSpec.latest()).map(offsets -> offsets.size() == partitions))
        .recover(e -> Future.succeededFuture(false))
        .compose(ready -> {
          if (ready) {
            return Future.succeededFuture();
          }
          if (System.currentTimeMillis() > deadline) {
            return Future.failedFuture(new IllegalStateException("topic '" + topic
                + "' was created but its partitions have no serving leader yet"));
          }
          Promise<Void> later = Promise.promise();
          vertx.setTimer(50, t -> awaitLeaders(topic, partitions, deadline).onComplete(later));
          return later.future();
        });
  }

  @Override
  public Future<List<TopicDescription>> listTopics() {
    return Calls.call(() -> queries.call(queries.admin().listTopics().names()).compose(names -> {
      List<Future<TopicDescription>> topics = new ArrayList<>();
      names.stream().sorted().forEach(name -> topics.add(describeTopic(name)));
      return Future.all(topics).map(all -> {
        List<TopicDescription> result = new ArrayList<>();
        for (Future<TopicDescription> f : topics) {
          result.add(f.result());
        }
        return result;
      });
    }));
  }

  private Future<TopicDescription> describeTopic(String topic) {
    return queries.partitions(topic).compose(partitions -> queries.ranges(topic, partitions).map(ranges ->
        new TopicDescription(topic, partitions.stream()
            .map(p -> new TopicDescription.PartitionRange(p, ranges.start().get(p), ranges.end().get(p)))
            .toList())));
  }

  @Override
  public Future<List<String>> listGroups() {
    return Calls.call(() -> queries.call(queries.admin().listGroups(ListGroupsOptions.forConsumerGroups()).all())
        .map(groups -> groups.stream().map(g -> g.groupId()).distinct().sorted().toList()));
  }

  /**
   * Kafka's view of the group. Members are named by their client id, which for members of this backend
   * is their {@link dev.fanout.stream.GroupMember#memberId()}. The topic is the one the group's members
   * are assigned or, without members, the one it has committed offsets for. Kafka does not count the
   * resets after retention: {@code offsetResets} counts those the members of this stream met since it
   * opened, and is -1 for a group none of them joined.
   */
  @Override
  public Future<GroupDescription> describeGroup(String group) {
    return Calls.call(() -> {
      ArgumentChecks.requireName("group", group);
      return described(group).compose(described -> {
        if (described.topic() == null) {
          return Future.failedFuture(new IllegalArgumentException("unknown group '" + group + "'"));
        }
        String topic = described.topic();
        List<GroupDescription.Member> members = described.group().members().stream()
            .map(m -> new GroupDescription.Member(m.clientId(), assigned(m, topic)))
            .sorted(Comparator.comparing(GroupDescription.Member::memberId))
            .toList();
        return lags(group, topic).map(lags -> new GroupDescription(group, topic, state(described.group(), members),
            members, lags, stream.offsetResets(group)));
      });
    });
  }

  /**
   * Fails with an {@link IllegalArgumentException} when {@code group} reads a topic other than {@code topic}:
   * a group reads exactly one topic (Kafka would let it read several, and describe it by one of them).
   */
  Future<Void> requireReads(String group, String topic) {
    return described(group).compose(described -> described.topic() == null || described.topic().equals(topic)
        ? Future.succeededFuture()
        : Future.failedFuture(new IllegalArgumentException("group '" + group + "' reads topic '"
            + described.topic() + "'; a group reads exactly one topic")));
  }

  /** Kafka's description of a group (null when Kafka does not know it), and the topic it reads (null when none). */
  private record Described(ConsumerGroupDescription group, String topic) {
  }

  private Future<Described> described(String group) {
    Future<ConsumerGroupDescription> described = queries.describeGroup(group)
        .recover(e -> e instanceof GroupIdNotFoundException ? Future.succeededFuture(null) : Future.failedFuture(e));
    Future<List<String>> committedTopics = queries.committedTopics(group);
    return Future.all(described, committedTopics).map(v -> new Described(described.result(),
        topicOf(group, described.result(), committedTopics.result())));
  }

  // The topic this stream's members read, else the one Kafka's members are assigned, else the committed one.
  private String topicOf(String group, ConsumerGroupDescription d, List<String> committedTopics) {
    for (KafkaGroupMember member : stream.members(group)) {
      return member.topic();
    }
    if (d != null) {
      for (MemberDescription m : d.members()) {
        for (TopicPartition tp : m.assignment().topicPartitions()) {
          return tp.topic();
        }
      }
    }
    return committedTopics.isEmpty() ? null : committedTopics.get(0);
  }

  private static List<Integer> assigned(MemberDescription member, String topic) {
    return member.assignment().topicPartitions().stream()
        .filter(tp -> tp.topic().equals(topic))
        .map(TopicPartition::partition)
        .sorted()
        .toList();
  }

  private static GroupState state(ConsumerGroupDescription d, List<GroupDescription.Member> members) {
    return switch (d.groupState()) {
      case STABLE -> GroupState.STABLE;
      case EMPTY, DEAD -> members.isEmpty() ? GroupState.EMPTY : GroupState.UNKNOWN;
      case PREPARING_REBALANCE, COMPLETING_REBALANCE, ASSIGNING, RECONCILING -> GroupState.REBALANCING;
      default -> GroupState.UNKNOWN;
    };
  }

  private Future<List<GroupDescription.PartitionLag>> lags(String group, String topic) {
    return queries.partitions(topic).compose(partitions -> {
      Future<ClusterQueries.Ranges> ranges = queries.ranges(topic, partitions);
      Future<Map<Integer, Long>> committed = queries.committed(group, topic);
      return Future.all(ranges, committed).map(v -> partitions.stream().map(p -> {
        long start = ranges.result().start().get(p);
        long end = ranges.result().end().get(p);
        Long c = committed.result().get(p);
        return c == null
            ? new GroupDescription.PartitionLag(p, -1, end, end - start)
            : new GroupDescription.PartitionLag(p, c, end, Math.max(0, end - c));
      }).toList());
    });
  }

  @Override
  public Future<Map<Integer, Long>> resetOffsets(String group, String topic, OffsetSpec spec, boolean preview) {
    return Calls.call(() -> {
      ArgumentChecks.requireReset(group, topic, spec);
      return requireReads(group, topic).compose(v -> reset.reset(group, topic, spec, preview));
    });
  }

  @Override
  public Future<Void> deleteTopic(String topic) {
    return Calls.call(() -> {
      ArgumentChecks.requireName("topic", topic);
      return deletion.deleteTopic(topic);
    });
  }

  /** Kafka refuses itself while the group has members; this stream's own are refused before asking it. */
  @Override
  public Future<Void> deleteGroup(String group) {
    return Calls.call(() -> {
      ArgumentChecks.requireName("group", group);
      return deletion.deleteGroup(group);
    });
  }
}
