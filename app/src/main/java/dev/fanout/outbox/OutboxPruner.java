package dev.fanout.outbox;

import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
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
 * <p>The pruner sweeps the outbox in id order, a window of {@code batch} events per statement, from where
 * its last window ended; after the newest event it starts again from the oldest. Each window deletes those
 * of its events that may go, so events that must stay (a group has not processed them yet: dead letters
 * nobody replayed, say) never hold back the ones after them; they are only looked at again once per sweep.
 * A call goes on to the next window until it deleted {@code batch} events, reached the newest event or
 * looked at {@value #WINDOWS_PER_CALL} windows: its cost does not grow with the table.
 *
 * <p>Not thread-safe: the next window's start is kept between calls, so run one call at a time, from one
 * place (the relay's leader).
 */
final class OutboxPruner {

  /** Most windows one call looks at. */
  static final int WINDOWS_PER_CALL = 10;

  private static final String PRUNE =
      "WITH RECURSIVE kept AS (SELECT * FROM unnest($1::int[], $2::bigint[]) AS k(part, first_offset)), "
          // one window of rows is looked at: the statement costs the same however long the table is
          + "window_rows AS (SELECT id, event_id, created_at, sent_at, stream_partition, stream_offset FROM outbox "
          + "  WHERE id > $7 ORDER BY id LIMIT $6), "
          + "doomed AS (SELECT o.id, o.event_id FROM window_rows o LEFT JOIN kept k ON k.part = o.stream_partition "
          + "  WHERE o.sent_at IS NOT NULL AND o.sent_at < $3 "
          + "  AND (o.sent_at < $4 OR o.stream_offset < k.first_offset) "
          // every group is done with it: processed it, or passed over it (skipped, recorded by gap healing)
          + "  AND (SELECT count(*) FROM unnest($5::text[], $8::timestamptz[]) AS g(name, since) "
          // a group is done with an event it was never owed (committed before its start)
          + "      WHERE o.created_at < g.since OR EXISTS (SELECT 1 FROM processed_events p "
          + "      WHERE p.group_name = g.name AND p.event_id = o.event_id) OR EXISTS (SELECT 1 FROM event_attempts a "
          + "      WHERE a.event_id = o.event_id AND a.group_name = g.name AND a.skipped_at IS NOT NULL)) "
          + "      = cardinality($5)), "
          + "gone AS (DELETE FROM outbox o USING doomed d WHERE o.id = d.id RETURNING o.event_id), "
          // every group that has records, each found by one probe of the primary key's leading column: the
          // records then go by index lookups (the key is (group, event), so the event alone would scan the
          // table), and so do those of a group no longer registered
          + "recorders(name) AS (SELECT min(group_name) FROM processed_events UNION ALL "
          + "  SELECT (SELECT min(p.group_name) FROM processed_events p WHERE p.group_name > r.name) "
          + "  FROM recorders r WHERE r.name IS NOT NULL), "
          + "records AS (DELETE FROM processed_events p USING gone g, recorders r "
          + "  WHERE p.group_name = r.name AND p.event_id = g.event_id), "
          + "trouble AS (DELETE FROM event_attempts a USING gone g WHERE a.event_id = g.event_id) "
          + "SELECT (SELECT count(*) FROM gone) AS n, (SELECT count(*) FROM window_rows) AS looked, "
          + "(SELECT max(id) FROM window_rows) AS last_id";

  private final Pool pool;
  private final Supplier<List<String>> groups;
  private final OwedFrom owedFrom;
  private final Duration keep;
  private final int batch;
  // where the next window starts (after this id); 0 from the oldest. Touched by one call at a time.
  private long after;

  /**
   * @param groups every consumer group that records processed events
   * @param keep   how long a sent event stays at least
   */
  OutboxPruner(Pool pool, Supplier<List<String>> groups, Duration keep, int batch) {
    this(pool, groups, OwedFrom.ALWAYS, keep, batch);
  }

  /** @param owedFrom since when each group is owed events: a group does not hold an event it is not owed */
    OutboxPruner(Pool pool, Supplier<List<String>> groups, OwedFrom owedFrom, Duration keep, int batch) {
    this.owedFrom = owedFrom;
    this.pool = pool;
    this.groups = groups;
    this.keep = keep;
    this.batch = batch;
  }

  /**
   * Deletes up to one batch, going on from where the last call stopped.
   *
   * @param partitions     the topic's partitions as the stream keeps them now
   * @param forgottenBefore events sent before this went to a life of the stream that is gone (the start of
   *                       this process for a stream that does not survive restarts), or null
   * @return how many events were deleted; less than the batch when this call reached the newest event (the
   *         next starts over from the oldest) or looked at its most windows
   */
  Future<Integer> pruneOnce(List<TopicDescription.PartitionRange> partitions, Instant forgottenBefore) {
    Integer[] parts = partitions.stream().map(TopicDescription.PartitionRange::partition).toArray(Integer[]::new);
    Long[] firstOffsets = partitions.stream().map(TopicDescription.PartitionRange::startOffset).toArray(Long[]::new);
    OffsetDateTime sentBefore = OffsetDateTime.now(ZoneOffset.UTC).minus(keep);
    OffsetDateTime forgotten = (forgottenBefore == null ? Instant.EPOCH : forgottenBefore).atOffset(ZoneOffset.UTC);
    List<String> names = groups.get();
    String[] groupNames = names.toArray(String[]::new);
    OffsetDateTime[] since = owedFrom.all(names);
    return sweep(parts, firstOffsets, sentBefore, forgotten, groupNames, since, 0, 0);
  }

  private Future<Integer> sweep(Integer[] parts, Long[] firstOffsets, OffsetDateTime sentBefore,
                                OffsetDateTime forgotten, String[] groupNames, OffsetDateTime[] since, int deleted,
                                int windows) {
    return pool.preparedQuery(PRUNE)
        .execute(Tuple.tuple().addArrayOfInteger(parts).addArrayOfLong(firstOffsets).addOffsetDateTime(sentBefore)
            .addOffsetDateTime(forgotten).addArrayOfString(groupNames).addInteger(batch).addLong(after)
            .addArrayOfOffsetDateTime(since))
        .compose(rows -> {
          Row row = rows.iterator().next();
          int total = deleted + row.getLong("n").intValue();
          boolean reachedNewest = row.getLong("looked") < batch;
          after = reachedNewest ? 0 : row.getLong("last_id");
          if (reachedNewest || total >= batch || windows + 1 >= WINDOWS_PER_CALL) {
            return Future.succeededFuture(total);
          }
          return sweep(parts, firstOffsets, sentBefore, forgotten, groupNames, since, total, windows + 1);
        });
  }
}
