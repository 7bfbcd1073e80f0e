package dev.fanout.stream.kafka;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The native consumer of one group member. It lets the member finish before a partition is taken away:
 * when Kafka revokes partitions (inside {@code poll}, on the consumer's thread), it waits, up to a bound,
 * for the member's batches in flight on them, commits their successful prefix while the partitions are
 * still owned, and only then lets the rebalance go on. Past the bound the batches are abandoned, as the
 * SPI allows; their commits are dropped by the member.
 *
 * <p>It also looks up, when partitions are assigned, where each one starts (see {@link #takeStartPosition}).
 *
 * <p>vertx-kafka-client registers its own rebalance listener, which only forwards events to the Vert.x
 * context and cannot make the rebalance wait; this subclass wraps that listener.
 */
final class MemberConsumer extends KafkaConsumer<String, byte[]> {

  private static final System.Logger LOG = System.getLogger(MemberConsumer.class.getName());

  /** The member's side of a revocation; called on the consumer's thread, must not block. */
  interface RevocationGate {

    /**
     * Stops handing out batches of {@code partitions} and completes, once their batches in flight ended,
     * with the offsets to commit for them before they go.
     */
    CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> finishBeforeRevoke(Collection<TopicPartition> partitions);
  }

  private final RevocationGate gate;
  private final Duration maxWait;
  // written on the consumer's thread when partitions are assigned, taken on the member's context
  private final Map<TopicPartition, Long> startPositions = new ConcurrentHashMap<>();

  MemberConsumer(Properties properties, RevocationGate gate, Duration maxWait) {
    super(properties);
    this.gate = gate;
    this.maxWait = maxWait;
  }

  @Override
  public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
    super.subscribe(topics, new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
          commitBeforeRevoke(partitions);
        }
        listener.onPartitionsRevoked(partitions);
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        findStartPositions(partitions);
        listener.onPartitionsAssigned(partitions);
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        // already owned by others: nothing may be committed, nothing to wait for
        listener.onPartitionsLost(partitions);
      }
    });
  }

  /**
   * Where a partition assigned to this consumer starts (its committed offset, or the start position
   * resolved), as the consumer knew it before it fetched anything of it; null when it could not tell, or
   * when taken already.
   */
  Long takeStartPosition(TopicPartition partition) {
    return startPositions.remove(partition);
  }

  // On the consumer's thread, inside poll, before any record of these partitions is fetched: the member
  // learns where each one starts before the first records arrive, so a later jump of the position (Kafka
  // resetting an offset that left the log) can be told from the start.
  private void findStartPositions(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      try {
        startPositions.put(partition, position(partition));
      } catch (RuntimeException e) {
        // a wakeup (the member leaves) or a timeout: the member then takes the first record fetched
        LOG.log(Level.DEBUG, "no start position for " + partition + ": " + e);
      }
    }
  }

  private void commitBeforeRevoke(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets;
    try {
      offsets = gate.finishBeforeRevoke(partitions).get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.log(Level.WARNING, "batches in flight on " + partitions + " did not end within " + maxWait
          + "; abandoning them to the next owner");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (ExecutionException e) {
      LOG.log(Level.WARNING, "could not finish batches before revoking " + partitions + ": " + e.getCause());
      return;
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      commitSync(offsets);
    } catch (RuntimeException e) {
      // the next owner starts from the last commit that landed: records are delivered again, none lost
      LOG.log(Level.DEBUG, "commit before revoking " + partitions + " failed: " + e);
    }
  }
}
