package dev.fanout.outbox;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupDescription;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes up what consumer groups lost to the stream's retention, from what every instance shares (the outbox,
 * the groups' records in PostgreSQL, the committed offsets and log starts in the stream), so it does not
 * matter which instance's member met the loss. Per group and partition, an event the group has neither
 * processed, dead-lettered nor skipped is:
 *
 * <ul>
 *   <li><b>lost</b> when its offset is below both the partition's log start and the group's committed offset:
 *       the group moved past it and can never read it. It is marked unsent, and the relay sends it again.</li>
 *   <li><b>skipped</b> when its offset is at or above the log start and below the group's committed offset:
 *       the group passed over a record it could have read, which only a reset forward (to latest, to a time)
 *       or a start at the latest offset does, since a group commits only what it handled. That is recorded
 *       ({@code event_attempts.skipped_at}) and the event is never sent again for that group.</li>
 * </ul>
 *
 * <p>Every group of the app starts at the earliest offset, so only an operator's reset passes over records.
 * Looking for skipped ones therefore waits for a reset noted in {@code offset_resets} ({@link OffsetResets}),
 * and looks once at everything when a leader starts (a reset whose note never got written, or one made with
 * the stream's own tools, is found then). Looking every round visited every committed record of every group
 * once more, the largest PostgreSQL cost the healer had (about 46 µs a publish, docs/benchmarks-history.md).
 *
 * <p>The committed offsets are read before the log starts, and both before the database: a group's processed
 * records are written before it commits past them, and a log start only grows, so a record found at or above
 * the log start was in the log whenever the group passed it.
 *
 * <p>Only what fell out of the log is sent again, and no faster than the group reads: a round sends at most
 * as many events as records every group has already read past the log start in that partition
 * ({@link #room}). On a stream that keeps a bounded number of records, an append pushes out the oldest;
 * those are then records no group still needs, so a send again never makes a group lose what it was about
 * to read.
 *
 * <p>Not thread-safe: used by the relay's leader on its context, one round at a time, each round after the
 * previous one's events were sent again.
 */
final class GapHealer {

  private static final Logger LOG = LoggerFactory.getLogger(GapHealer.class);
  /** Events one round sends again per partition at most. */
  static final int MAX_ROUND = 1000;
  /** Events one round may send again into a partition that every group has read to its end. */
  static final int CAUGHT_UP_ROUND = 100;

  // an event the group was never owed (committed before its start) is neither lost nor skipped by it
  private static final String NOT_HANDLED =
      "NOT EXISTS (SELECT 1 FROM processed_events p WHERE p.group_name = $1 AND p.event_id = o.event_id) ";
  private static final String OWED = " AND o.created_at >= $7 ";
  private static final String UNSEND_LOST =
      "WITH w AS (SELECT * FROM unnest($2::int[], $3::bigint[], $4::bigint[], $5::int[]) AS w(part, lo, hi, room)), "
          + "lost AS (SELECT l.id FROM w CROSS JOIN LATERAL (SELECT o.id FROM outbox o "
          + "  WHERE o.sent_at IS NOT NULL AND o.sent_at >= $6 AND o.stream_partition = w.part " + OWED
          + "  AND o.stream_offset >= w.lo AND o.stream_offset < w.hi AND " + NOT_HANDLED
          + "  AND NOT EXISTS (SELECT 1 FROM event_attempts a WHERE a.group_name = $1 AND a.event_id = o.event_id "
          + "    AND (a.dead_lettered_at IS NOT NULL OR a.skipped_at IS NOT NULL)) "
          + "  ORDER BY o.stream_offset LIMIT w.room) l) "
          + "UPDATE outbox o SET sent_at = NULL FROM lost WHERE o.id = lost.id "
          + "RETURNING o.stream_partition AS part, o.stream_offset AS off";
  private static final String RECORD_SKIPPED =
      "WITH w AS (SELECT * FROM unnest($2::int[], $3::bigint[], $4::bigint[]) AS w(part, lo, hi)) "
          + "INSERT INTO event_attempts (group_name, event_id, skipped_at) "
          + "SELECT $1, o.event_id, now() FROM w JOIN outbox o ON o.stream_partition = w.part "
          + "  AND o.stream_offset >= w.lo AND o.stream_offset < w.hi "
          + "WHERE o.sent_at IS NOT NULL AND o.sent_at >= $5 AND o.created_at >= $6 AND " + NOT_HANDLED
          + "ON CONFLICT (event_id, group_name) DO UPDATE SET skipped_at = now() "
          + "WHERE event_attempts.dead_lettered_at IS NULL AND event_attempts.skipped_at IS NULL";
  private static final String NOTED_RESETS = "SELECT id, group_name FROM offset_resets";
  private static final String FORGET_RESETS = "DELETE FROM offset_resets WHERE id <= $1";

  /** One group's offsets to look at in one partition: {@code from <= offset < below}; room caps the lost ones. */
  record Window(int partition, long from, long below, int room) {
  }

  /** What one round looks at for one group: where it lost events, and where it skipped some. */
  record Plan(List<Window> lost, List<Window> skipped) {
  }

  private final EventStream stream;
  private final String topic;
  private final Instant lifeStart;
  // per group and partition: below these offsets every sent event was already looked at
  private final Map<String, Map<Integer, Long>> lostLookedAt = new HashMap<>();
  private final Map<String, Map<Integer, Long>> skipLookedAt = new HashMap<>();
  // a leader that just started looks at every group for skipped events once
  private boolean lookForAllSkips = true;

  /**
   * @param lifeStart events sent before this went to an earlier life of a stream that forgets on restart
   *                  (their offsets mean nothing now); {@link Instant#EPOCH} for a stream that survives
   */
  GapHealer(EventStream stream, String topic, Instant lifeStart) {
    this.stream = stream;
    this.topic = topic;
    this.lifeStart = lifeStart;
  }

  /** Forgets what was looked at: a new leader looks at everything once. */
  void reset() {
    lostLookedAt.clear();
    skipLookedAt.clear();
    lookForAllSkips = true;
  }

  /**
   * One round over {@code groups}: records what they skipped and marks unsent what they lost.
   *
   * @return how many events were marked unsent
   */
  Future<Integer> heal(SqlClient client, List<String> groups, OwedFrom owedFrom) {
    // the notes before the offsets: a note is written after its reset, so the offsets read next are the new ones
    return client.query(NOTED_RESETS).execute().compose(notes -> {
      long notedUpTo = 0;
      Set<String> reset = new HashSet<>();
      for (Row note : notes) {
        notedUpTo = Math.max(notedUpTo, note.getLong("id"));
        reset.add(note.getString("group_name"));
      }
      boolean all = lookForAllSkips;
      long forget = notedUpTo;
      return heal(client, groups, owedFrom, group -> all || reset.contains(group)).compose(marked -> {
        lookForAllSkips = false;
        return forget == 0 ? Future.succeededFuture(marked)
            : client.preparedQuery(FORGET_RESETS).execute(Tuple.of(forget)).map(marked);
      });
    });
  }

  private Future<Integer> heal(SqlClient client, List<String> groups, OwedFrom owedFrom, Predicate<String> lookForSkips) {
    List<Future<GroupDescription>> described = new ArrayList<>(groups.size());
    for (String group : groups) {
      // a group the stream does not know yet has lost nothing
      described.add(stream.admin().describeGroup(group).recover(e -> Future.succeededFuture(null)));
    }
    return Future.all(described).compose(all -> stream.admin().listTopics().compose(topics -> {
      Map<Integer, Long> logStart = new HashMap<>();
      Map<Integer, Long> logEnd = new HashMap<>();
      topics.stream().filter(t -> t.name().equals(topic)).flatMap(t -> t.partitions().stream()).forEach(p -> {
        logStart.put(p.partition(), p.startOffset());
        logEnd.put(p.partition(), p.endOffset());
      });
      Map<String, Map<Integer, Long>> committed = new HashMap<>();
      for (int i = 0; i < groups.size(); i++) {
        GroupDescription d = all.resultAt(i);
        if (d != null && d.topic().equals(topic)) {
          Map<Integer, Long> offsets = new HashMap<>();
          d.partitions().forEach(p -> offsets.put(p.partition(), p.committed()));
          committed.put(groups.get(i), offsets);
        }
      }
      Future<Integer> chain = Future.succeededFuture(0);
      for (String group : committed.keySet()) {
        Plan whole = plan(group, committed, logStart, logEnd, lookedAt(lostLookedAt, group),
            lookedAt(skipLookedAt, group));
        Plan plan = lookForSkips.test(group) ? whole : new Plan(whole.lost(), List.of());
        OffsetDateTime since = owedFrom.of(group).atOffset(ZoneOffset.UTC);
        chain = chain.compose(sum -> round(client, group, plan, since).map(n -> sum + n));
      }
      return chain;
    }));
  }

  private Future<Integer> round(SqlClient client, String group, Plan plan, OffsetDateTime since) {
    Future<Void> skipped = plan.skipped().isEmpty() ? Future.succeededFuture()
        : client.preparedQuery(RECORD_SKIPPED).execute(Tuple.tuple().addString(group)
            .addArrayOfInteger(plan.skipped().stream().map(Window::partition).toArray(Integer[]::new))
            .addArrayOfLong(plan.skipped().stream().map(Window::from).toArray(Long[]::new))
            .addArrayOfLong(plan.skipped().stream().map(Window::below).toArray(Long[]::new))
            .addOffsetDateTime(lifeStart.atOffset(ZoneOffset.UTC)).addOffsetDateTime(since))
        .<Void>map(rows -> {
          if (rows.rowCount() > 0) {
            LOG.info("group {} passed over {} events still in the log (an offset reset forward): recorded as skipped",
                group, rows.rowCount());
          }
          plan.skipped().forEach(w -> lookedAt(skipLookedAt, group).merge(w.partition(), w.below(), Math::max));
          return null;
        });
    return skipped.compose(v -> plan.lost().isEmpty() ? Future.succeededFuture(0)
        : client.preparedQuery(UNSEND_LOST).execute(Tuple.tuple().addString(group)
            .addArrayOfInteger(plan.lost().stream().map(Window::partition).toArray(Integer[]::new))
            .addArrayOfLong(plan.lost().stream().map(Window::from).toArray(Long[]::new))
            .addArrayOfLong(plan.lost().stream().map(Window::below).toArray(Long[]::new))
            .addArrayOfInteger(plan.lost().stream().map(Window::room).toArray(Integer[]::new))
            .addOffsetDateTime(lifeStart.atOffset(ZoneOffset.UTC)).addOffsetDateTime(since))
        .map(rows -> {
          Map<Integer, Integer> sent = new HashMap<>();
          Map<Integer, Long> highest = new HashMap<>();
          for (Row row : rows) {
            sent.merge(row.getInteger("part"), 1, Integer::sum);
            highest.merge(row.getInteger("part"), row.getLong("off"), Math::max);
          }
          Map<Integer, Long> looked = lookedAt(lostLookedAt, group);
          for (Window w : plan.lost()) {
            // a full round may have left some behind: look again from after the last one it took
            long done = sent.getOrDefault(w.partition(), 0) < w.room() ? w.below() : highest.get(w.partition()) + 1;
            looked.merge(w.partition(), done, Math::max);
          }
          if (rows.rowCount() > 0) {
            LOG.warn("group {} lost {} events to the stream's retention; sending them again", group, rows.rowCount());
          }
          return rows.rowCount();
        }));
  }

  private static Map<Integer, Long> lookedAt(Map<String, Map<Integer, Long>> byGroup, String group) {
    return byGroup.computeIfAbsent(group, g -> new HashMap<>());
  }

  /**
   * What one round looks at for {@code group}, from every group's committed offsets (-1: none yet) and each
   * partition's log start. A partition the group has not committed in is left alone: it will read from the
   * log start on, and its first commit puts the records below behind it.
   */
  static Plan plan(String group, Map<String, Map<Integer, Long>> committed, Map<Integer, Long> logStart,
                   Map<Integer, Long> logEnd, Map<Integer, Long> lostLookedAt, Map<Integer, Long> skipLookedAt) {
    List<Window> lost = new ArrayList<>();
    List<Window> skipped = new ArrayList<>();
    committed.get(group).forEach((partition, position) -> {
      Long start = logStart.get(partition);
      if (start == null || position < 0) {
        return;
      }
      long end = logEnd.getOrDefault(partition, start);
      long lostFrom = lostLookedAt.getOrDefault(partition, 0L);
      // behind the start of a log that holds nothing, the group has nothing to read and so nothing to commit
      // past: everything below the start is lost to it, and waiting for its commit would wait forever
      long lostBelow = position < start && start == end ? start : Math.min(start, position);
      int room = room(group, partition, committed, start, end);
      if (lostFrom < lostBelow && room > 0) {
        lost.add(new Window(partition, lostFrom, lostBelow, room));
      }
      long skipFrom = Math.max(start, skipLookedAt.getOrDefault(partition, 0L));
      if (skipFrom < position) {
        skipped.add(new Window(partition, skipFrom, position, 0));
      }
    });
    return new Plan(lost, skipped);
  }

  /**
   * How many events may be sent again into {@code partition} for {@code group} now: records that the group
   * and every other group at or past the log start have read past it, so those the sends may push out of a
   * bounded log are needed by none of them (a group still behind the log start has lost them already, and
   * gets them sent again in turn). When all those groups have read to the log end, nothing in the log is
   * needed any more, and as many as the log holds now may go, at least {@link #CAUGHT_UP_ROUND} (a log that
   * drops records by age may hold few). At most {@link #MAX_ROUND}; 0 while the group itself is behind the log
   * start, unless the log holds nothing (then {@link #CAUGHT_UP_ROUND}: a log that dropped everything by age
   * gives the group no record to resume on; while the group is still down, what is sent may drop out again
   * and is sent again, one round per retention period).
   */
  static int room(String group, int partition, Map<String, Map<Integer, Long>> committed, long logStart,
                  long logEnd) {
    long own = committed.get(group).get(partition);
    if (own < logStart) {
      return logStart == logEnd ? CAUGHT_UP_ROUND : 0;
    }
    long room = own - logStart;
    boolean caughtUp = own >= logEnd;
    for (Map.Entry<String, Map<Integer, Long>> other : committed.entrySet()) {
      Long position = other.getValue().get(partition);
      if (!other.getKey().equals(group) && position != null && position >= logStart) {
        room = Math.min(room, position - logStart);
        caughtUp &= position >= logEnd;
      }
    }
    if (caughtUp) {
      room = Math.max(logEnd - logStart, CAUGHT_UP_ROUND);
    }
    return (int) Math.min(MAX_ROUND, room);
  }
}
