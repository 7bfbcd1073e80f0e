package dev.fanout.stream.kafka;

import dev.fanout.stream.OffsetSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Moves a group's committed offsets. Kafka's coordinator accepts offsets from the admin API only for a
 * group without members, so:
 * <ul>
 *   <li>a group without members is reset through the admin API;</li>
 *   <li>a group whose members all belong to this stream is reset by the members themselves: each one
 *       holds back the partitions it owns, lets their batches in flight finish, seeks and commits;</li>
 *   <li>a group with members in other processes is refused, before anything is changed.</li>
 * </ul>
 * Partitions moving between members during the reset are retried until the request timeout.
 */
final class OffsetReset {

  private final Vertx vertx;
  private final ClusterQueries queries;
  private final KafkaEventStream stream;
  private final Duration timeout;

  OffsetReset(Vertx vertx, ClusterQueries queries, KafkaEventStream stream, Duration timeout) {
    this.vertx = vertx;
    this.queries = queries;
    this.stream = stream;
    this.timeout = timeout;
  }

  Future<Map<Integer, Long>> reset(String group, String topic, OffsetSpec spec, boolean preview) {
    return targets(topic, spec).compose(targets -> preview
        ? Future.succeededFuture(targets)
        : apply(group, topic, targets, System.currentTimeMillis() + timeout.toMillis()).map(v -> targets));
  }

  /** The offset {@code spec} designates on every partition, within the retained range. */
  Future<Map<Integer, Long>> targets(String topic, OffsetSpec spec) {
    return queries.partitions(topic).compose(partitions -> {
      Future<ClusterQueries.Ranges> ranges = queries.ranges(topic, partitions);
      Future<Map<Integer, Long>> byTime = spec.kind() == OffsetSpec.Kind.TIMESTAMP
          ? queries.offsets(topic, partitions, org.apache.kafka.clients.admin.OffsetSpec.forTimestamp(spec.value()))
          : Future.succeededFuture(Map.of());
      return Future.all(ranges, byTime).map(v -> {
        ClusterQueries.Ranges r = ranges.result();
        Map<Integer, Long> targets = new TreeMap<>();
        for (int p : partitions) {
          long target = switch (spec.kind()) {
            case EARLIEST -> r.start().get(p);
            case LATEST -> r.end().get(p);
            case OFFSET -> r.clamp(p, spec.value());
            // no record at or after the timestamp: the end
            case TIMESTAMP -> byTime.result().get(p) < 0 ? r.end().get(p) : r.clamp(p, byTime.result().get(p));
          };
          targets.put(p, target);
        }
        return targets;
      });
    });
  }

  /**
   * Looks at the group's members before it touches anything: a refusal found only after this stream's
   * members had moved and committed would leave the reset half-applied. A member that joins elsewhere after
   * the look is seen when partitions must be retried, and refuses what is left.
   */
  private Future<Void> apply(String group, String topic, Map<Integer, Long> targets, long deadline) {
    return describe(group).compose(d -> {
      IllegalStateException refused = foreignMembers(group, d);
      if (refused != null) {
        return Future.failedFuture(refused);
      }
      List<KafkaGroupMember> local = new ArrayList<>();
      for (KafkaGroupMember member : stream.members(group)) {
        if (member.topic().equals(topic)) {
          local.add(member);
        }
      }
      if (local.isEmpty() && (d == null || d.members().isEmpty())) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        targets.forEach((p, o) -> offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
        return queries.call(queries.admin().alterConsumerGroupOffsets(group, offsets).all());
      }
      List<Future<Set<Integer>>> moves = new ArrayList<>();
      for (KafkaGroupMember member : local) {
        moves.add(member.moveTo(targets));
      }
      return Future.all(moves).compose(v -> {
        Map<Integer, Long> remaining = new TreeMap<>(targets);
        for (Future<Set<Integer>> moved : moves) {
          moved.result().forEach(remaining::remove);
        }
        if (remaining.isEmpty()) {
          return Future.succeededFuture();
        }
        if (System.currentTimeMillis() > deadline) {
          return Future.failedFuture(new IllegalStateException("group '" + group + "' kept rebalancing;"
              + " partitions " + remaining.keySet() + " of '" + topic + "' were not reset"));
        }
        // partitions are between owners (a rebalance, or members of this stream still leaving): again shortly
        Promise<Void> later = Promise.promise();
        vertx.setTimer(100, t -> apply(group, topic, remaining, deadline).onComplete(later));
        return later.future();
      });
    });
  }

  private Future<ConsumerGroupDescription> describe(String group) {
    return queries.describeGroup(group)
        .recover(e -> e instanceof GroupIdNotFoundException ? Future.succeededFuture(null) : Future.failedFuture(e));
  }

  /** The refusal when {@code d} lists members this stream did not create, else null. */
  private IllegalStateException foreignMembers(String group, ConsumerGroupDescription d) {
    if (d == null) {
      return null;
    }
    Set<String> ours = stream.memberIds(group);
    Set<String> foreign = new TreeSet<>();
    for (MemberDescription m : d.members()) {
      if (!ours.contains(m.clientId())) {
        foreign.add(m.clientId());
      }
    }
    return foreign.isEmpty() ? null : new IllegalStateException("cannot reset offsets of group '" + group
        + "': it has active members outside this stream " + foreign + "; stop them first");
  }
}
