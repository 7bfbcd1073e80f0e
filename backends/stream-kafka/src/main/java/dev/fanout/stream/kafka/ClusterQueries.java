package dev.fanout.stream.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The read-only admin questions the backend asks, each a Vert.x future completed on the caller's
 * context. Uses the native admin client: its calls enqueue requests and never block the caller.
 */
final class ClusterQueries {

  private final Vertx vertx;
  private final Admin admin;

  ClusterQueries(Vertx vertx, Admin admin) {
    this.vertx = vertx;
    this.admin = admin;
  }

  Admin admin() {
    return admin;
  }

  /** Bridges a native future to the calling context. */
  <T> Future<T> call(KafkaFuture<T> future) {
    Context context = vertx.getOrCreateContext();
    return KafkaFutureBridge.on(context, future);
  }

  /** The partition ids of {@code topic}, ascending; fails with IllegalArgumentException when unknown. */
  Future<List<Integer>> partitions(String topic) {
    return call(admin.describeTopics(List.of(topic)).allTopicNames())
        .map(d -> d.get(topic).partitions().stream().map(p -> p.partition()).sorted().toList())
        .recover(e -> Future.failedFuture(e instanceof UnknownTopicOrPartitionException
            ? new IllegalArgumentException("unknown topic '" + topic + "'", e) : e));
  }

  /** Per partition, the offset {@code spec} designates ({@code -1} when a timestamp finds no record). */
  Future<Map<Integer, Long>> offsets(String topic, List<Integer> partitions, OffsetSpec spec) {
    if (partitions.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(p -> request.put(new TopicPartition(topic, p), spec));
    return call(admin.listOffsets(request).all()).map(result -> {
      Map<Integer, Long> offsets = new HashMap<>();
      for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : result.entrySet()) {
        offsets.put(e.getKey().partition(), e.getValue().offset());
      }
      return offsets;
    });
  }

  /** Start and end offsets of every partition of {@code topic}. */
  Future<Ranges> ranges(String topic, List<Integer> partitions) {
    Future<Map<Integer, Long>> start = offsets(topic, partitions, OffsetSpec.earliest());
    Future<Map<Integer, Long>> end = offsets(topic, partitions, OffsetSpec.latest());
    return Future.all(start, end).map(v -> new Ranges(start.result(), end.result()));
  }

  /** Per partition of a topic: the first retained offset and the log-end offset. */
  record Ranges(Map<Integer, Long> start, Map<Integer, Long> end) {

    long clamp(int partition, long offset) {
      return Math.max(start.get(partition), Math.min(end.get(partition), offset));
    }
  }

  Future<ConsumerGroupDescription> describeGroup(String group) {
    return call(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
  }

  /** The group's committed offsets of {@code topic}; partitions without one are absent. */
  Future<Map<Integer, Long>> committed(String group, String topic) {
    // listConsumerGroupOffsets(group) without options: the variant vertx-kafka-client breaks on 4.x is not used
    return call(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()).map(all -> {
      Map<Integer, Long> offsets = new HashMap<>();
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : all.entrySet()) {
        if (e.getKey().topic().equals(topic) && e.getValue() != null) {
          offsets.put(e.getKey().partition(), e.getValue().offset());
        }
      }
      return offsets;
    });
  }

  /** Every topic the group has committed offsets for. */
  Future<List<String>> committedTopics(String group) {
    return call(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata())
        .map(all -> new ArrayList<>(all.keySet().stream().map(TopicPartition::topic).distinct().sorted().toList()));
  }
}
