package dev.fanout.stream.kafka;

import dev.fanout.stream.StreamRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What one group member knows and decides, as Kafka's own {@code SubscriptionState} does for its consumer:
 * the partitions it owns, each with its {@link PartitionFeed}, the partitions whose fetching is paused, the
 * offsets waiting to be committed, and whether the member is paused, stopping or crashed. It performs no
 * I/O and knows neither Vert.x nor the Kafka client: its methods return what the driver
 * ({@link KafkaGroupMember}) must do (hand out batches, pause or resume fetching, seek, commit, retry later).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Each assignment of a partition gets a new generation, never reused in the member's life. A
 *       {@link Grant} names a partition at one generation; once the partition was revoked (even if it was
 *       assigned again since) the grant is stale, and every report made with it (a position, a seek done, a
 *       batch done, a retry) is ignored.</li>
 *   <li>At most {@code maxInFlight} batches per partition are in flight, in offset order; batches are
 *       handed out only while the member is active and not paused. A partition's commit is the end of
 *       the successful prefix of its batches (see {@link dev.fanout.stream.spi.BatchWindow}).</li>
 *   <li>A commit is queued only for an owned partition and handed to the driver only while the partition is
 *       still owned; a crashed member commits nothing before a revocation and abandons its batches.</li>
 * </ul>
 *
 * <p>Not thread-safe: owned by the member's context.
 */
final class MemberState {

  enum Phase { ACTIVE, STOPPING, CLOSED }

  /** One partition as owned from one assignment on. */
  record Grant(int partition, long generation) {
  }

  /** A batch handed out under {@code grant}; report its end with {@link #batchDone}. */
  record Batch(Grant grant, List<StreamRecord> records) {
  }

  /** Move the consumer's position of the grant's partition to {@code offset}. */
  record Seek(Grant grant, long offset) {
  }

  /** The retry of a failed batch, due after the retry delay: pass it to {@link #retryDue}. */
  record Retry(Grant grant, long token) {
  }

  /** The consumer moved a partition by itself ({@code auto.offset.reset}): from {@code expected} to {@code actual}. */
  record Moved(int partition, long expected, long actual) {
  }

  /**
   * What the driver does next: pause and resume fetching of partitions, then hand out {@code batches}. In that
   * order: ending a batch at once yields newer steps, whose fetching changes must come last.
   */
  record Steps(List<Batch> batches, Set<Integer> pause, Set<Integer> resume) {
  }

  private record Owned(long generation, PartitionFeed feed) {
  }

  private final int batchSize;
  private final int bufferLimit;
  private final int maxInFlight;
  // sorted, so partitions are served in a stable order
  private final Map<Integer, Owned> owned = new TreeMap<>();
  private final Set<Integer> fetchPaused = new TreeSet<>();
  private final Map<Integer, Long> pendingCommits = new HashMap<>();
  private long generations;
  private Phase phase = Phase.ACTIVE;
  private boolean crashed;
  private boolean paused;

  /** A member with at most one batch per partition in flight. */
  MemberState(int batchSize, int bufferLimit) {
    this(batchSize, bufferLimit, 1);
  }

  /**
   * @param batchSize   the most records in one batch
   * @param bufferLimit buffered records per partition at which its fetching pauses
   * @param maxInFlight the most batches per partition in flight at once
   */
  MemberState(int batchSize, int bufferLimit, int maxInFlight) {
    this.batchSize = batchSize;
    this.bufferLimit = bufferLimit;
    this.maxInFlight = maxInFlight;
  }

  Phase phase() {
    return phase;
  }

  /** The partitions owned now, sorted. */
  Set<Integer> assignment() {
    return new TreeSet<>(owned.keySet());
  }

  // ---- assignment ----

  /**
   * Kafka assigned {@code partitions}; those already owned keep their grant.
   *
   * @param startPosition where the consumer found a new partition starts, null when it could not tell
   * @return the new grants whose start the driver must look up and report with {@link #positionKnown}
   */
  List<Grant> assigned(Collection<Integer> partitions, Function<Integer, Long> startPosition) {
    List<Grant> lookups = new ArrayList<>();
    if (phase == Phase.CLOSED) {
      return lookups;
    }
    for (int partition : partitions) {
      if (owned.containsKey(partition)) {
        continue;
      }
      Grant grant = new Grant(partition, ++generations);
      PartitionFeed feed = new PartitionFeed(partition, batchSize, bufferLimit, maxInFlight);
      owned.put(partition, new Owned(grant.generation(), feed));
      Long start = startPosition.apply(partition);
      if (start != null) {
        feed.positionKnown(start);
      } else {
        lookups.add(grant);
      }
    }
    return lookups;
  }

  /** Where the grant's partition starts, as looked up after {@link #assigned}. */
  void positionKnown(Grant grant, long position) {
    PartitionFeed feed = feed(grant);
    if (feed != null) {
      feed.positionKnown(position);
    }
  }

  /**
   * Kafka took {@code partitions} away: their batches in flight are abandoned and their queued commits
   * dropped.
   *
   * @return the grants that ended, whose waiters the driver releases
   */
  List<Grant> revoked(Collection<Integer> partitions) {
    List<Grant> ended = new ArrayList<>();
    for (int partition : partitions) {
      Owned gone = owned.remove(partition);
      if (gone != null) {
        ended.add(new Grant(partition, gone.generation()));
      }
      pendingCommits.remove(partition);
      fetchPaused.remove(partition);
    }
    return ended;
  }

  /**
   * Kafka is about to revoke {@code partitions}: holds back their next batches.
   *
   * @return the grants held, to wait for (until not {@link #inFlight}) and pass to {@link #commitsBeforeRevoke};
   *         none when the member crashed
   */
  List<Grant> holdForRevoke(Collection<Integer> partitions) {
    return crashed ? List.of() : grants(partitions, true);
  }

  /** The offsets to commit for the {@code held} partitions before they go; their queued commits are taken. */
  Map<Integer, Long> commitsBeforeRevoke(List<Grant> held) {
    Map<Integer, Long> offsets = new TreeMap<>();
    for (Grant grant : held) {
      Long offset = pendingCommits.remove(grant.partition());
      if (offset != null && !crashed && feed(grant) != null) {
        offsets.put(grant.partition(), offset);
      }
    }
    return offsets;
  }

  // ---- fetching and batches ----

  /**
   * Records fetched for {@code partition}, in offset order; ignored when the partition is not owned or the
   * member closed.
   *
   * @return the moves the consumer made by itself, one per record that jumped
   */
  List<Moved> fetched(int partition, List<StreamRecord> records) {
    List<Moved> moves = new ArrayList<>();
    Owned o = owned.get(partition);
    if (o == null || phase == Phase.CLOSED) {
      return moves;
    }
    for (StreamRecord record : records) {
      long expected = o.feed().expected();
      if (o.feed().offer(record) == PartitionFeed.Offer.MOVED) {
        moves.add(new Moved(partition, expected, record.offset()));
      }
    }
    return moves;
  }

  /**
   * The batches to hand out now (none while paused or not active; they count as in flight from here), and
   * the changes of fetching: a partition pauses while its buffer is full or it waits for a retry.
   */
  Steps nextSteps() {
    List<Batch> batches = new ArrayList<>();
    Set<Integer> pause = new TreeSet<>();
    Set<Integer> resume = new TreeSet<>();
    if (phase == Phase.CLOSED) {
      return new Steps(batches, pause, resume);
    }
    for (Map.Entry<Integer, Owned> entry : owned.entrySet()) {
      PartitionFeed feed = entry.getValue().feed();
      while (phase == Phase.ACTIVE && !paused && feed.ready()) {
        batches.add(new Batch(new Grant(entry.getKey(), entry.getValue().generation()), feed.take()));
      }
    }
    for (Map.Entry<Integer, Owned> entry : owned.entrySet()) {
      int partition = entry.getKey();
      boolean wanted = entry.getValue().feed().wantsPause();
      if (wanted && fetchPaused.add(partition)) {
        pause.add(partition);
      } else if (!wanted && fetchPaused.remove(partition)) {
        resume.add(partition);
      }
    }
    return new Steps(batches, pause, resume);
  }

  /**
   * The handler ended {@code batch}. A success that extends the partition's successful prefix queues the
   * prefix's end as its commit; a failure blocks the partition. Once a blocked partition has no batch in
   * flight any more, the retry is returned, to pass to {@link #retryDue} after the retry delay. Nothing
   * happens for a stale batch or a crashed member: the batch is abandoned.
   */
  Optional<Retry> batchDone(Batch batch, boolean succeeded) {
    PartitionFeed feed = feed(batch.grant());
    if (crashed || feed == null) {
      return Optional.empty();
    }
    long first = batch.records().get(0).offset();
    if (!succeeded) {
      feed.failed(first);
    } else if (feed.succeeded(first)) {
      pendingCommits.put(batch.grant().partition(), feed.committable());
    }
    OptionalLong retry = feed.retryToStart();
    return retry.isPresent() ? Optional.of(new Retry(batch.grant(), retry.getAsLong())) : Optional.empty();
  }

  /**
   * The retry delay passed: the seek back to the failed batch's first offset, unless the retry went stale
   * (the partition was revoked or reset since, or the member closed).
   */
  Optional<Seek> retryDue(Retry retry) {
    PartitionFeed feed = feed(retry.grant());
    if (phase == Phase.CLOSED || feed == null || !feed.awaitsRetry(retry.token())) {
      return Optional.empty();
    }
    return Optional.of(new Seek(retry.grant(), feed.expected()));
  }

  /** The seek of {@link #retryDue} completed: the partition takes records again. False when stale. */
  boolean retrySeekDone(Retry retry) {
    PartitionFeed feed = feed(retry.grant());
    return feed != null && feed.retry(retry.token());
  }

  /** True while a batch of the grant is in flight; false once all ended or the grant is stale. */
  boolean inFlight(Grant grant) {
    PartitionFeed feed = feed(grant);
    return feed != null && feed.inFlight();
  }

  void pause(boolean paused) {
    this.paused = paused;
  }

  // ---- offset resets ----

  /**
   * An offset reset wants to move {@code partitions}: holds back the owned ones' next batches.
   *
   * @return the grants held, to wait for and pass to {@link #restartAt}; none unless active
   */
  List<Grant> holdForReset(Collection<Integer> partitions) {
    return phase == Phase.ACTIVE ? grants(partitions, true) : List.of();
  }

  /**
   * Restarts the grant's partition at {@code offset}, dropping what was buffered and any pending retry, and
   * queues {@code offset} as its commit. Records are refused until {@link #seekDone}.
   *
   * @return the seek to perform; empty when the grant went stale meanwhile
   */
  Optional<Seek> restartAt(Grant grant, long offset) {
    PartitionFeed feed = feed(grant);
    if (feed == null) {
      return Optional.empty();
    }
    feed.restartAt(offset);
    pendingCommits.put(grant.partition(), offset);
    return Optional.of(new Seek(grant, offset));
  }

  /** The seek of {@link #restartAt} completed. */
  void seekDone(Grant grant) {
    PartitionFeed feed = feed(grant);
    if (feed != null) {
      feed.seekDone();
    }
  }

  // ---- commits ----

  /** The queued commits of partitions still owned, taken out of the queue; the driver sends them now. */
  Map<Integer, Long> commitsDue() {
    Map<Integer, Long> due = new TreeMap<>();
    pendingCommits.forEach((partition, offset) -> {
      if (owned.containsKey(partition)) {
        due.put(partition, offset);
      }
    });
    pendingCommits.clear();
    return due;
  }

  /** Commits of {@link #commitsDue} that failed: queued again unless a newer one was queued or the partition went. */
  void commitFailed(Map<Integer, Long> sent) {
    sent.forEach((partition, offset) -> {
      if (owned.containsKey(partition)) {
        pendingCommits.putIfAbsent(partition, offset);
      }
    });
  }

  // ---- leaving ----

  /**
   * The member crashes: its batches in flight are abandoned, never committed.
   *
   * @return true the first time; the driver then releases every waiter
   */
  boolean crash() {
    if (crashed) {
      return false;
    }
    crashed = true;
    return true;
  }

  /**
   * The member starts leaving: no batch is handed out from now on.
   *
   * @return the grants whose batches in flight to wait for; none when crashed
   */
  List<Grant> stopping() {
    phase = Phase.STOPPING;
    return crashed ? List.of() : grants(List.copyOf(owned.keySet()), false);
  }

  /** The member left: it owns nothing and commits nothing any more. */
  void close() {
    phase = Phase.CLOSED;
    owned.clear();
    fetchPaused.clear();
    pendingCommits.clear();
  }

  // ---- helpers ----

  // The grants of the owned partitions among {@code partitions}; with hold, their next batches are held back.
  private List<Grant> grants(Collection<Integer> partitions, boolean hold) {
    List<Grant> grants = new ArrayList<>();
    for (int partition : partitions) {
      Owned o = owned.get(partition);
      if (o != null) {
        if (hold) {
          o.feed().hold();
        }
        grants.add(new Grant(partition, o.generation()));
      }
    }
    return grants;
  }

  // The feed of a grant that is not stale, else null.
  private PartitionFeed feed(Grant grant) {
    Owned o = owned.get(grant.partition());
    return o != null && o.generation() == grant.generation() ? o.feed() : null;
  }
}
