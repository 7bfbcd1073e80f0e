package dev.fanout.stream.kafka;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * {@code deleteTopic} and {@code deleteGroup} through Kafka's admin API, with the refusals the SPI states:
 * Kafka refuses to delete a group with members itself, but deletes a topic whatever reads it, so the
 * readers are looked for first.
 *
 * <p>Thread-safe; its futures complete on the caller's context (see {@link ClusterQueries#call}).
 */
final class Deletion {

  private static final long GONE_CHECK_MILLIS = 50;

  private final Vertx vertx;
  private final ClusterQueries queries;
  private final KafkaEventStream stream;
  private final Duration timeout;

  Deletion(Vertx vertx, ClusterQueries queries, KafkaEventStream stream, Duration timeout) {
    this.vertx = vertx;
    this.queries = queries;
    this.stream = stream;
    this.timeout = timeout;
  }

  /** Refuses while a group with live members reads {@code topic}, then deletes it and waits until it is unlisted. */
  Future<Void> deleteTopic(String topic) {
    return queries.partitions(topic)
        .compose(partitions -> liveReaders(topic))
        .compose(readers -> {
          if (!readers.isEmpty()) {
            return Future.failedFuture(new IllegalStateException("cannot delete topic '" + topic
                + "': groups with live members read it " + readers + "; stop them first"));
          }
          return queries.<Void>call(queries.admin().deleteTopics(List.of(topic)).all());
        })
        .recover(error -> Future.failedFuture(error instanceof UnknownTopicOrPartitionException
            ? new IllegalArgumentException("unknown topic '" + topic + "'", error) : error))
        .compose(v -> {
          stream.forgetPartitions(topic);
          return unlisted(topic, System.currentTimeMillis() + timeout.toMillis());
        });
  }

  /** Refuses while this stream has live members in {@code group}, then lets Kafka delete it (or refuse). */
  Future<Void> deleteGroup(String group) {
    List<String> ours = stream.members(group).stream().map(KafkaGroupMember::memberId).sorted().toList();
    if (!ours.isEmpty()) {
      return Future.failedFuture(new IllegalStateException("cannot delete group '" + group
          + "': it has live members " + ours + "; they must leave first"));
    }
    return queries.<Void>call(queries.admin().deleteConsumerGroups(List.of(group)).all())
        .recover(error -> {
          if (error instanceof GroupNotEmptyException) {
            return Future.failedFuture(new IllegalStateException("cannot delete group '" + group
                + "': it has live members; they must leave first (" + error.getMessage() + ")", error));
          }
          if (error instanceof GroupIdNotFoundException) {
            return Future.failedFuture(new IllegalArgumentException("unknown group '" + group + "'", error));
          }
          return Future.failedFuture(error);
        });
  }

  // Groups with a member of this stream on the topic, or a member Kafka has assigned a partition of it.
  private Future<Set<String>> liveReaders(String topic) {
    Set<String> readers = new TreeSet<>(stream.groupsReading(topic));
    return queries.call(queries.admin().listGroups(ListGroupsOptions.forConsumerGroups()).all())
        .compose(listed -> {
          List<String> names = listed.stream().map(GroupListing::groupId).distinct().toList();
          if (names.isEmpty()) {
            return Future.succeededFuture(Map.<String, ConsumerGroupDescription>of());
          }
          return queries.call(queries.admin().describeConsumerGroups(names).all());
        })
        .map(described -> {
          for (ConsumerGroupDescription group : described.values()) {
            for (MemberDescription member : group.members()) {
              if (member.assignment().topicPartitions().stream().anyMatch(tp -> tp.topic().equals(topic))) {
                readers.add(group.groupId());
              }
            }
          }
          return readers;
        });
  }

  // A deleted topic leaves the brokers' metadata a little after the controller accepted the deletion.
  private Future<Void> unlisted(String topic, long deadline) {
    return queries.call(queries.admin().listTopics().names()).compose(names -> {
      if (!names.contains(topic)) {
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new IllegalStateException("topic '" + topic
            + "' was deleted but is still listed after " + timeout.toMillis() + " ms"));
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(GONE_CHECK_MILLIS, t -> unlisted(topic, deadline).onComplete(later));
      return later.future();
    });
  }
}
