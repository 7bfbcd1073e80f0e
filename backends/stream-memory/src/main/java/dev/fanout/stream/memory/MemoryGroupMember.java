package dev.fanout.stream.memory;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import dev.fanout.stream.spi.BatchWindow;
import dev.fanout.stream.spi.Calls;
import dev.fanout.stream.spi.OnContext;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A group member of the in-memory backend. It does the scheduling around {@link ConsumerGroup}: on its
 * Vert.x context it reads the partitions it owns from their logs, hands batches to the handler, commits
 * the successful prefix of each partition (see {@link BatchWindow}), and gives up revoked partitions once
 * their batches in flight are done.
 *
 * <p>Backpressure: at most {@code maxBatchesInFlight} batches of at most {@code maxBatchSize} records are in
 * flight per owned partition; nothing is buffered beyond them, records stay in the log until read.
 *
 * <p>Wake-ups. The member is awake while a drain is queued or running; an append (or a group change) queues a
 * drain only when the member is not awake, so a busy member costs an appender one read of a flag, and a sleeping
 * one costs it one task. A drain that handed out a batch queues the next drain itself, and stays awake. A drain
 * that found nothing to do goes to sleep: it clears the flag, then looks once more at what it would read (the
 * ends of its partitions, the group's change flag) and wakes itself if anything came meanwhile. An appender
 * stores the end before it reads the flag, a sleeping member clears the flag before it reads the end, both with
 * volatile accesses: one of them sees the other, so no record waits for a later append.
 */
final class MemoryGroupMember implements GroupMember, ConsumerGroup.Listener, MemoryTopic.AppendListener {

  /** Read position of one owned partition. Accessed on the member's context only. */
  private static final class Cursor {
    final int partition;
    final int epoch;
    // null until the first read placed it, and while a failed window waits for its retry
    BatchWindow window;
    boolean waitingRetry;

    Cursor(int partition, int epoch) {
      this.partition = partition;
      this.epoch = epoch;
    }

    boolean inFlight() {
      return window != null && window.inFlight() > 0;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final String memberId;
  private final SubscribeOptions options;
  private final BatchHandler handler;
  private final MemoryTopic topic;
  private final ConsumerGroup group;
  private final Consumer<MemoryGroupMember> onGone;

  // any thread: true while a drain is queued or running (see Wake-ups above); set by whoever queues one, cleared
  // by a drain that found nothing to do
  private final AtomicBoolean awake = new AtomicBoolean();
  // any thread: the group changed since the last drain read its grants
  private volatile boolean groupChanged = true;
  // written on the context, read anywhere; owned[p] says whether an append to p should wake us
  private volatile Set<Integer> assignment = Set.of();
  private volatile boolean[] owned;
  // written on the context, read anywhere
  private volatile boolean paused;

  // accessed on the context only
  private final Map<Integer, Cursor> cursors = new HashMap<>();
  // the cursors of the partitions owned, current and not being revoked, as of the last reading of the grants
  private List<Cursor> readable = List.of();
  // a partition is kept only until its batches in flight end: read the grants again at every drain till then
  private boolean holding;
  private int inFlight;
  private boolean leaving;
  private boolean gone;
  private Promise<Void> left;

  MemoryGroupMember(Vertx vertx, Context context, String memberId, SubscribeOptions options,
                    BatchHandler handler, MemoryTopic topic, ConsumerGroup group,
                    Consumer<MemoryGroupMember> onGone) {
    this.vertx = vertx;
    this.context = context;
    this.memberId = memberId;
    this.options = options;
    this.handler = handler;
    this.topic = topic;
    this.group = group;
    this.onGone = onGone;
  }

  /** Joins the group and starts reading. */
  Future<GroupMember> start() {
    return OnContext.call(context, () -> {
      // joined first: a group deleted meanwhile refuses the member before it listens to anything
      group.join(memberId, this);
      topic.addListener(this);
      // a drain now, as awake: the member owns its partitions (and says so) once start completes
      awake.set(true);
      drain();
      return Future.succeededFuture(this);
    });
  }

  @Override
  public String memberId() {
    return memberId;
  }

  @Override
  public String group() {
    return options.group();
  }

  @Override
  public String topic() {
    return options.topic();
  }

  @Override
  public Set<Integer> assignment() {
    return assignment;
  }

  @Override
  public boolean paused() {
    return paused;
  }

  @Override
  public Future<Void> pause() {
    return Calls.call(() -> onContext(() -> paused = true));
  }

  @Override
  public Future<Void> resume() {
    return Calls.call(() -> onContext(() -> {
      paused = false;
      wake();
    }));
  }

  @Override
  public Future<Void> leave() {
    return Calls.call(() -> OnContext.call(context, () -> {
      if (gone) {
        return Future.succeededFuture();
      }
      if (left == null) {
        leaving = true;
        left = Promise.promise();
        if (inFlight == 0) {
          disappear();
        }
      }
      return left.future();
    }));
  }

  @Override
  public Future<Void> crash() {
    return Calls.call(() -> onContext(() -> {
      if (!gone) {
        disappear();
      }
    }));
  }

  @Override
  public void groupChanged() {
    groupChanged = true;
    wake();
  }

  @Override
  public void appended(int partition) {
    boolean[] wake = owned;
    if (wake != null && wake[partition]) {
      wake();
    }
  }

  // Any thread: queues a drain unless the member is awake (a drain is queued or running, and looks again).
  private void wake() {
    if (!awake.get() && awake.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  // On the context, awake: reads the grants when they changed, starts a batch where one can start, then either
  // queues the next drain (it handed one out) or goes to sleep.
  private void drain() {
    if (gone) {
      awake.set(false);
      return;
    }
    if (groupChanged || holding) {
      readGrants();
    }
    int handedOut = 0;
    if (!paused && !leaving) {
      for (Cursor cursor : readable) {
        // At most maxBatchesInFlight per drain, so that handlers that complete at once do not keep the
        // context reading one partition; the next drain goes on. Such a handler may also fail the window,
        // pause or leave the member meanwhile.
        int started = 0;
        while (started < options.maxBatchesInFlight() && mayStart(cursor) && fetch(cursor.partition, cursor)) {
          started++;
        }
        handedOut += started;
      }
    }
    if (handedOut > 0 && !gone) {
      // still awake: the next drain runs after what is queued on the context now, and reads what came meanwhile
      context.runOnContext(v -> drain());
    } else {
      sleep();
    }
  }

  // On the context: clears the flag, then looks again (see Wake-ups above), as the flag is cleared after the reads.
  private void sleep() {
    awake.set(false);
    if (workWaiting()) {
      wake();
    }
  }

  // On the context: whether a drain would do anything now.
  private boolean workWaiting() {
    if (gone) {
      return false;
    }
    if (groupChanged) {
      return true;
    }
    if (paused || leaving) {
      return false;
    }
    for (Cursor cursor : readable) {
      if (mayStart(cursor)
          && (cursor.window == null || topic.log(cursor.partition).endOffset() > cursor.window.next())) {
        return true;
      }
    }
    return false;
  }

  // On the context: reconciles cursors with the group's grants, and publishes what the member owns.
  private void readGrants() {
    // cleared before the grants are read: a change after this read sets it again
    groupChanged = false;
    holding = false;
    List<ConsumerGroup.Grant> grants = group.grants(memberId);
    boolean[] owns = new boolean[group.partitions()];
    List<Cursor> reading = new ArrayList<>();
    for (ConsumerGroup.Grant grant : grants) {
      int partition = grant.partition();
      Cursor cursor = cursors.get(partition);
      boolean current = cursor != null && cursor.epoch == grant.epoch();
      if (cursor != null && cursor.inFlight() && (grant.revoking() || !current)) {
        owns[partition] = true; // kept, even when revoked or reset, until its batches end
        holding = true;
        continue;
      }
      if (grant.revoking()) {
        cursors.remove(partition);
        group.release(memberId, partition, grant.epoch());
        continue;
      }
      owns[partition] = true;
      if (!current) {
        cursor = new Cursor(partition, grant.epoch());
        cursors.put(partition, cursor);
      }
      reading.add(cursor);
    }
    cursors.entrySet().removeIf(e -> !owns[e.getKey()] && !e.getValue().inFlight());
    readable = reading;
    // Published before any read: an append that the reads after this miss then finds its partition owned and
    // wakes the member. Published after them, an append in between would wake nobody.
    publishAssignment(owns);
  }

  private boolean mayStart(Cursor cursor) {
    return !gone && !paused && !leaving && !cursor.waitingRetry
        && (cursor.window == null || cursor.window.canHandOut(options.maxBatchesInFlight()));
  }

  private void publishAssignment(boolean[] owns) {
    if (owned == null || !Arrays.equals(owned, owns)) {
      Set<Integer> partitions = new TreeSet<>();
      for (int p = 0; p < owns.length; p++) {
        if (owns[p]) {
          partitions.add(p);
        }
      }
      assignment = Set.copyOf(partitions);
      owned = owns;
    }
  }

  // Hands out the partition's next batch; false when there is nothing to read.
  private boolean fetch(int partition, Cursor cursor) {
    // without a window: from the committed offset, -1 without one (the read falls back to the start position)
    long from = cursor.window == null ? group.committed(partition) : cursor.window.next();
    boolean hadOffset = from >= 0;
    PartitionLog.Read read = topic.log(partition).readOrFallBack(from, options.maxBatchSize(), options.startFrom());
    if (read.fellBack()) {
      if (hadOffset) {
        group.countOffsetReset(); // the offset fell out of retention: records were lost, say so
      }
      if (cursor.window == null || !cursor.inFlight() || read.from() < cursor.window.next()) {
        cursor.window = new BatchWindow(read.from());
        group.commit(memberId, partition, cursor.epoch, read.from());
      }
      // else the records that left the log go with the next batch, committed once the batches before it are
    } else if (cursor.window == null) {
      cursor.window = new BatchWindow(read.from());
    }
    List<StreamRecord> batch = read.records();
    if (batch.isEmpty()) {
      return false;
    }
    BatchWindow window = cursor.window;
    long first = batch.get(0).offset();
    window.handedOut(first, batch.get(batch.size() - 1).offset() + 1);
    inFlight++;
    Future<Void> result;
    try {
      result = handler.handle(batch);
      if (result == null) {
        result = Future.failedFuture(new NullPointerException("batch handler returned null"));
      }
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> OnContext.run(context, () -> completed(partition, cursor, window, first, ar)));
    return true;
  }

  private void completed(int partition, Cursor cursor, BatchWindow window, long first, AsyncResult<Void> result) {
    inFlight--;
    if (gone) {
      return; // crashed: the batch is abandoned, its partition already has a new owner
    }
    if (result.succeeded()) {
      if (window.succeeded(first)) {
        group.commit(memberId, partition, cursor.epoch, window.committed());
      }
    } else {
      window.failed(first);
    }
    if (window.restartDue() && cursor.window == window) {
      // every batch of the failed window ended: after the delay, read again from the committed offset
      cursor.window = null;
      cursor.waitingRetry = true;
      vertx.setTimer(Math.max(1, options.retryDelayMs()), id -> {
        cursor.waitingRetry = false;
        wake();
      });
    }
    if (leaving && inFlight == 0) {
      disappear();
    } else {
      wake();
    }
  }

  // On the context: leaves the group at once; in-flight batches can no longer commit.
  private void disappear() {
    gone = true;
    topic.removeListener(this);
    group.remove(memberId);
    cursors.clear();
    readable = List.of();
    assignment = Set.of();
    owned = null;
    onGone.accept(this);
    if (left != null) {
      left.complete();
    }
  }

  private Future<Void> onContext(Runnable action) {
    return OnContext.call(context, () -> {
      action.run();
      return Future.succeededFuture();
    });
  }
}
