package dev.fanout.dashboard;

import dev.fanout.consumer.GroupStatus;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the JSON the dashboard page draws, from the groups as described now, their histories and this
 * process's figures. Plain code: no I/O, no Vert.x beyond its JSON types.
 */
final class DashboardSnapshot {

  private DashboardSnapshot() {
  }

  /** A group's {@code figures}: its {@link GroupStatus} in this process. */
  static JsonObject figures(GroupStatus status) {
    return new JsonObject()
        .put("processed", status.processed())
        .put("retries", status.retries())
        .put("deadLetters", status.deadLetters())
        .put("replayed", status.replayed())
        .put("latencyP99Millis", status.latencyP99Millis())
        .put("circuit", status.circuit())
        .put("paused", status.paused())
        .put("waitingOnCircuit", status.waitingOnCircuit())
        .put("localMembers", status.localMembers())
        .put("batchesInFlight", status.batchesInFlight());
  }

  /** One group: what {@code /api/groups} shows, plus status, time lag, rates and the time to catch up. */
  static JsonObject group(GroupDescription group, GroupHistory history, JsonObject figures, long nowMillis) {
    JsonObject json = StreamRoutes.toJson(group);
    List<GroupSample> samples = history.all();
    List<GroupSample> window = history.last(LagStatus.WINDOW);
    Map<Integer, String> owners = new HashMap<>();
    int idle = 0;
    for (GroupDescription.Member member : group.members()) {
      member.partitions().forEach(p -> owners.put(p, member.memberId()));
      idle += member.idle() ? 1 : 0;
    }
    long timeLag = 0;
    JsonArray partitions = new JsonArray();
    for (GroupDescription.PartitionLag p : group.partitions()) {
      List<TimeLag.Point> points = new ArrayList<>(samples.size());
      for (GroupSample sample : samples) {
        GroupSample.Offsets offsets = sample.partitions().get(p.partition());
        if (offsets != null) {
          points.add(new TimeLag.Point(sample.atMillis(), offsets.logEnd()));
        }
      }
      long millis = TimeLag.millis(points, p.logEnd() - p.lag(), p.logEnd(), nowMillis);
      timeLag = Math.max(timeLag, millis);
      partitions.add(new JsonObject()
          .put("partition", p.partition())
          .put("committed", p.committed())
          .put("logEnd", p.logEnd())
          .put("lag", p.lag())
          .put("timeLagMillis", millis)
          .put("status", LagStatus.ofPartition(window, p.partition()).name())
          .put("owner", owners.get(p.partition())));
    }
    GroupRates rates = GroupRates.of(history.last(GroupRates.WINDOW));
    json.put("status", LagStatus.ofGroup(window).name())
        .put("timeLagMillis", timeLag)
        .put("processedPerSecond", rates.processedPerSecond())
        .put("consumedPerSecond", rates.consumedPerSecond())
        .put("producedPerSecond", rates.producedPerSecond())
        .put("etaSeconds", rates.etaSeconds())
        .put("idleMembers", idle)
        .put("partitions", partitions);
    if (figures != null) {
      json.put("figures", figures);
    }
    return json;
  }

  /** The sample the histories keep of a group as described now. */
  static GroupSample sample(GroupDescription group, long nowMillis, boolean paused, long processed,
                            boolean circuitOpen) {
    Map<Integer, GroupSample.Offsets> offsets = new HashMap<>();
    group.partitions().forEach(p -> offsets.put(p.partition(), new GroupSample.Offsets(p.logEnd() - p.lag(), p.logEnd())));
    Set<Integer> owned = new HashSet<>();
    group.members().forEach(m -> owned.addAll(m.partitions()));
    return new GroupSample(nowMillis, Map.copyOf(offsets), Set.copyOf(owned), paused, processed, circuitOpen);
  }

  static JsonArray topics(List<TopicDescription> topics) {
    JsonArray array = new JsonArray();
    for (TopicDescription topic : topics) {
      JsonArray partitions = new JsonArray();
      topic.partitions().forEach(p -> partitions.add(new JsonObject()
          .put("partition", p.partition()).put("startOffset", p.startOffset()).put("endOffset", p.endOffset())));
      array.add(new JsonObject().put("name", topic.name()).put("partitions", partitions));
    }
    return array;
  }

  /**
   * The charts' data over the newest {@code points} sample times: {@code t} (ms) and, per group, {@code lag},
   * {@code consumedPerSecond} and {@code producedPerSecond} between consecutive samples (null where the
   * group has no sample).
   */
  static JsonObject history(Map<String, GroupHistory> histories, int points) {
    TreeSet<Long> times = new TreeSet<>();
    Map<String, Map<Long, GroupSample>> byTime = new HashMap<>();
    histories.forEach((name, history) -> {
      Map<Long, GroupSample> samples = new HashMap<>();
      history.last(points).forEach(s -> samples.put(s.atMillis(), s));
      byTime.put(name, samples);
      times.addAll(samples.keySet());
    });
    List<Long> axis = new ArrayList<>(times);
    axis = axis.subList(Math.max(0, axis.size() - points), axis.size());
    JsonObject groups = new JsonObject();
    for (String name : histories.keySet()) {
      Map<Long, GroupSample> samples = byTime.get(name);
      JsonArray lag = new JsonArray();
      JsonArray consumed = new JsonArray();
      JsonArray produced = new JsonArray();
      GroupSample previous = null;
      for (long t : axis) {
        GroupSample sample = samples.get(t);
        lag.add(sample == null ? null : sample.lag());
        boolean rate = sample != null && previous != null && sample.atMillis() > previous.atMillis();
        double seconds = rate ? (sample.atMillis() - previous.atMillis()) / 1000.0 : 0;
        consumed.add(rate ? GroupRates.perSecond(sample.position() - previous.position(), seconds) : null);
        produced.add(rate ? GroupRates.perSecond(sample.logEnd() - previous.logEnd(), seconds) : null);
        previous = sample;
      }
      groups.put(name, new JsonObject().put("lag", lag).put("consumedPerSecond", consumed)
          .put("producedPerSecond", produced));
    }
    return new JsonObject().put("t", new JsonArray(new ArrayList<>(axis))).put("groups", groups);
  }
}
