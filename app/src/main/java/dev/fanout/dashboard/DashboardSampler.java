package dev.fanout.dashboard;

import dev.fanout.consumer.GroupStatus;
import dev.fanout.consumer.GroupRegistry;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.outbox.OutboxFigures;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once a second, describes every group and topic through the stream's admin API, reads the outbox's
 * figures, keeps each group's history (the last {@value #HISTORY} samples, ten minutes), and publishes the
 * dashboard's snapshot
 * (see {@link DashboardSnapshot}) as encoded JSON on the event bus at {@link #ADDRESS}, where each live
 * connection listens. Deploy one per process: the sampling does not grow with connections or HTTP
 * verticles.
 *
 * <p>{@code start} completes after the first sample, so {@link #latest()} is never null once deployed. A
 * sample that is still running when the next second comes is not overlapped: that second is skipped. When
 * the stream cannot be read, the last good snapshot is published again with an {@code error}.
 *
 * <p>The outbox is read apart from the stream: one reading at a time, and a snapshot waits for it at most
 * {@value #OUTBOX_WAIT_MILLIS} ms, so a slow or stopped database neither holds back the snapshot nor piles
 * up queries; the snapshot then shows the last good reading (with the failure's {@code error}).
 */
public final class DashboardSampler extends VerticleBase {

  /** The event-bus address of the snapshots, one String (encoded JSON) a second. */
  public static final String ADDRESS = "fanout.dashboard.snapshot";
  /** Samples kept per group: ten minutes at one a second. */
  static final int HISTORY = 600;
  /** Samples the charts get: five minutes. */
  static final int CHART = 300;
  static final long PERIOD_MILLIS = 1000;
  static final long OUTBOX_WAIT_MILLIS = 300;

  private static final Logger LOG = LoggerFactory.getLogger(DashboardSampler.class);

  private final EventStream stream;
  private final GroupRegistry local;
  private final OutboxFigures outbox;
  // accessed on this verticle's context only
  private final Map<String, GroupHistory> histories = new TreeMap<>();
  private final OutboxReadings outboxReadings = new OutboxReadings(GroupRates.WINDOW);
  private Future<Void> outboxReading;
  private JsonObject lastGood = new JsonObject().put("groups", new JsonArray()).put("topics", new JsonArray());
  private boolean sampling;
  // the last reading of the stream, of the outbox failed: the next failure is not news for the log
  private boolean streamFailing;
  private boolean outboxFailing;
  private long timer = -1;
  // written on this verticle's context, read by the HTTP verticles
  private volatile String latest;
  // written on this verticle's context, read by the HTTP verticles: each group's status in the newest sample
  private final Map<String, String> statuses = new ConcurrentHashMap<>();

  /**
   * @param local  this process's part of the app's groups, whose figures the snapshot adds
   * @param outbox the outbox's figures, read once a sample
   */
  public DashboardSampler(EventStream stream, GroupRegistry local, OutboxFigures outbox) {
    this.stream = stream;
    this.local = local;
    this.outbox = outbox;
  }

  @Override
  public Future<?> start() {
    return sample().onComplete(ar -> timer = vertx.setPeriodic(PERIOD_MILLIS, id -> {
      if (!sampling) {
        sample();
      }
    }));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** The newest snapshot as encoded JSON; safe from any thread. */
  public String latest() {
    return latest;
  }

  /**
   * A group's {@link LagStatus} in the newest sample (at most a second old), the one the dashboard shows;
   * null for a group not sampled yet. Safe from any thread.
   */
  public String status(String group) {
    return statuses.get(group);
  }

  private Future<Void> sample() {
    sampling = true;
    long now = System.currentTimeMillis();
    Future<Void> outboxRead = readOutbox();
    Future<List<GroupDescription>> groups = stream.admin().listGroups().compose(names -> {
      List<Future<GroupDescription>> described = new ArrayList<>();
      // a group may vanish between listing and describing it: leave it out of this sample
      names.forEach(name -> described.add(stream.admin().describeGroup(name).otherwise((GroupDescription) null)));
      return Future.all(described).map(all -> {
        List<GroupDescription> list = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          list.add(all.resultAt(i));
        }
        return list.stream().filter(Objects::nonNull).toList();
      });
    });
    Future<List<TopicDescription>> topics = stream.admin().listTopics();
    return Future.all(groups, topics)
        .map(v -> snapshot(now, groups.result(), topics.result()))
        .map(snapshot -> {
          streamFailing = false;
          return snapshot;
        })
        .recover(e -> {
          logFailure(streamFailing, "dashboard: the stream could not be read", e);
          streamFailing = true;
          // the page shows this to anyone: a code and a text, the failure itself is in the log
          return Future.succeededFuture(lastGood.copy().put("at", now)
              .put("error", "stream_unavailable: the event stream could not be read"));
        })
        .compose(snapshot -> outboxRead.timeout(OUTBOX_WAIT_MILLIS, TimeUnit.MILLISECONDS).otherwiseEmpty()
            .map(v -> snapshot.put("outbox", outboxReadings.json())))
        .map(snapshot -> {
          latest = snapshot.encode();
          vertx.eventBus().publish(ADDRESS, latest);
          return (Void) null;
        })
        .onComplete(ar -> sampling = false);
  }

  // The first failure of a run of them goes to the log in full; the rest, once a second each, only at debug.
  private static void logFailure(boolean alreadyFailing, String what, Throwable e) {
    if (alreadyFailing) {
      LOG.debug(what, e);
    } else {
      LOG.warn("{}: {}", what, e.toString());
    }
  }

  /** Starts a reading of the outbox unless one is still running; the future never fails. */
  private Future<Void> readOutbox() {
    if (outboxReading != null) {
      return outboxReading;
    }
    Future<Void> reading = outbox.read()
        .map(figures -> {
          outboxFailing = false;
          outboxReadings.add(System.currentTimeMillis(), figures);
          return (Void) null;
        })
        .recover(e -> {
          logFailure(outboxFailing, "dashboard: reading the outbox failed", e);
          outboxFailing = true;
          outboxReadings.failed("database_unavailable: the outbox could not be read");
          return Future.succeededFuture();
        });
    // a closed pool fails at once: only a reading still running is remembered
    if (!reading.isComplete()) {
      outboxReading = reading;
      reading.onComplete(ar -> outboxReading = null);
    }
    return reading;
  }

  private JsonObject snapshot(long now, List<GroupDescription> groups, List<TopicDescription> topics) {
    JsonArray array = new JsonArray();
    for (GroupDescription group : groups) {
      LocalGroup here = local.find(group.group()).orElse(null);
      GroupStatus status = here == null ? null : here.status();
      GroupHistory history = histories.computeIfAbsent(group.group(), g -> new GroupHistory(HISTORY));
      history.add(DashboardSnapshot.sample(group, now, status != null && status.paused(),
          status == null ? 0 : status.processed(), status != null && !"CLOSED".equals(status.circuit())));
      JsonObject json = DashboardSnapshot.group(group, history, status == null ? null : DashboardSnapshot.figures(status), now);
      statuses.put(group.group(), json.getString("status"));
      array.add(json);
    }
    statuses.keySet().retainAll(groups.stream().map(GroupDescription::group).toList());
    lastGood = new JsonObject()
        .put("at", now)
        .put("periodMillis", PERIOD_MILLIS)
        .put("statusWindow", LagStatus.WINDOW)
        .put("groups", array)
        .put("topics", DashboardSnapshot.topics(topics))
        .put("history", DashboardSnapshot.history(histories, CHART));
    return lastGood;
  }
}
