package dev.fanout.outbox;

import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps the {@code outbox}, {@code processed_events} and {@code event_attempts} tables from growing without
 * end. An event's outbox row, its processed-events records and its attempts are deleted together, in small
 * batches, once nothing can need them:
 *
 * <ul>
 *   <li>every group has recorded it as processed, so the relay will never send it again for a gap;</li>
 *   <li>its record can never be delivered again: its offset is below the first record its partition still
 *       keeps, or it was sent to an earlier life of a stream that does not survive restarts. Until then a
 *       group reset to the earliest offset could read it again, and its dedupe record must be there;</li>
 *   <li>it was sent longer than {@code keep} ago, so recent events stay for audits and traces.</li>
 * </ul>
 *
 * <p>Each call looks at the {@code batch} oldest events only, and deletes those of them that may go: its cost
 * does not grow with the table. Events are mostly sent and processed in id order, so the oldest are the
 * first to go; a few that must stay at the head (a group has not processed them yet) hold back nothing but
 * their own window's neighbours until they go too. Run it from one place at a time (the relay's leader).
 */
final class OutboxPruner {

  private static final String PRUNE =
      "WITH kept AS (SELECT * FROM unnest($1::int[], $2::bigint[]) AS k(part, first_offset)), "
          // only the oldest rows are looked at: the statement costs the same however long the table is
          + "oldest AS (SELECT id, event_id, sent_at, stream_partition, stream_offset FROM outbox ORDER BY id LIMIT $6), "
          + "doomed AS (SELECT o.id, o.event_id FROM oldest o LEFT JOIN kept k ON k.part = o.stream_partition "
          + "  WHERE o.sent_at IS NOT NULL AND o.sent_at < $3 "
          + "  AND (o.sent_at < $4 OR o.stream_offset < k.first_offset) "
          + "  AND (SELECT count(*) FROM processed_events p WHERE p.event_id = o.event_id AND p.group_name = ANY($5)) "
          + "      = cardinality($5)), "
          + "gone AS (DELETE FROM outbox o USING doomed d WHERE o.id = d.id RETURNING o.event_id), "
          + "records AS (DELETE FROM processed_events p USING gone g WHERE p.event_id = g.event_id), "
          + "trouble AS (DELETE FROM event_attempts a USING gone g WHERE a.event_id = g.event_id) "
          + "SELECT count(*) AS n FROM gone";

  private final Pool pool;
  private final Supplier<List<String>> groups;
  private final Duration keep;
  private final int batch;

  /**
   * @param groups every consumer group that records processed events
   * @param keep   how long a sent event stays at least
   */
  OutboxPruner(Pool pool, Supplier<List<String>> groups, Duration keep, int batch) {
    this.pool = pool;
    this.groups = groups;
    this.keep = keep;
    this.batch = batch;
  }

  /**
   * Deletes one batch.
   *
   * @param partitions     the topic's partitions as the stream keeps them now
   * @param forgottenBefore events sent before this went to a life of the stream that is gone (the start of
   *                       this process for a stream that does not survive restarts), or null
   * @return how many events were deleted
   */
  Future<Integer> pruneOnce(List<TopicDescription.PartitionRange> partitions, Instant forgottenBefore) {
    Integer[] parts = partitions.stream().map(TopicDescription.PartitionRange::partition).toArray(Integer[]::new);
    Long[] firstOffsets = partitions.stream().map(TopicDescription.PartitionRange::startOffset).toArray(Long[]::new);
    OffsetDateTime sentBefore = OffsetDateTime.now(ZoneOffset.UTC).minus(keep);
    OffsetDateTime forgotten = (forgottenBefore == null ? Instant.EPOCH : forgottenBefore).atOffset(ZoneOffset.UTC);
    return pool.preparedQuery(PRUNE)
        .execute(Tuple.tuple().addArrayOfInteger(parts).addArrayOfLong(firstOffsets).addOffsetDateTime(sentBefore)
            .addOffsetDateTime(forgotten).addArrayOfString(groups.get().toArray(String[]::new)).addInteger(batch))
        .map(rows -> rows.iterator().next().getLong("n").intValue());
  }
}
