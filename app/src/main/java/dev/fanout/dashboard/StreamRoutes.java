package dev.fanout.dashboard;

import dev.fanout.http.ApiErrors;
import dev.fanout.consumer.GroupRegistry;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupDescription;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The read-only JSON behind the dashboard: {@code GET /api/groups} and {@code GET /api/topics}, built
 * from the stream's admin API; each group gets its {@code status} as the dashboard shows it
 * ({@link LagStatus}: judged from the stream's view, which spans every instance, and from the circuit and
 * pause of its members in this process), and a group that runs in this process also gets its
 * {@code figures} (processed, retries, dead letters, replayed, circuit, paused).
 */
public final class StreamRoutes {

  private final EventStream stream;
  private final GroupRegistry local;
  private final Function<String, String> status;

  /**
   * @param local  this process's part of the app's groups, whose retry, dead-letter and circuit figures are added
   * @param status a group's status in the dashboard's newest sample, null when not sampled yet (see
   *               {@link DashboardSampler#status}); safe from any thread
   */
  public StreamRoutes(EventStream stream, GroupRegistry local, Function<String, String> status) {
    this.stream = stream;
    this.local = local;
    this.status = status;
  }

  public void mount(Router router) {
    router.get("/api/groups").handler(ctx -> ApiErrors.respond(ctx, 200, this::groups));
    router.get("/api/topics").handler(ctx -> ApiErrors.respond(ctx, 200, this::topics));
  }

  /** Every group, sorted by name, with members, partitions, offsets and lag. */
  Future<JsonObject> groups() {
    return stream.admin().listGroups().compose(names -> {
      List<Future<GroupDescription>> described = new ArrayList<>();
      names.forEach(name -> described.add(stream.admin().describeGroup(name)));
      return Future.all(described).map(all -> {
        JsonArray groups = new JsonArray();
        for (int i = 0; i < all.size(); i++) {
          GroupDescription group = all.resultAt(i);
          JsonObject json = toJson(group);
          String sampled = status.apply(group.group());
          // not sampled yet: nothing to judge, as with fewer than two samples
          json.put("status", sampled == null ? LagStatus.OK.name() : sampled);
          LocalGroup here = local.find(group.group()).orElse(null);
          if (here != null) {
            json.put("figures", DashboardSnapshot.figures(here.status()));
          }
          groups.add(json);
        }
        return new JsonObject().put("groups", groups);
      });
    });
  }

  Future<JsonObject> topics() {
    return stream.admin().listTopics().map(topics -> new JsonObject().put("topics", DashboardSnapshot.topics(topics)));
  }

  static JsonObject toJson(GroupDescription group) {
    JsonArray members = new JsonArray();
    group.members().forEach(m -> members.add(new JsonObject()
        .put("memberId", m.memberId())
        .put("partitions", new JsonArray(m.partitions()))
        .put("idle", m.idle())));
    JsonArray partitions = new JsonArray();
    group.partitions().forEach(p -> partitions.add(new JsonObject()
        .put("partition", p.partition())
        .put("committed", p.committed())
        .put("logEnd", p.logEnd())
        .put("lag", p.lag())));
    return new JsonObject()
        .put("group", group.group())
        .put("topic", group.topic())
        .put("state", group.state().name())
        .put("lag", group.totalLag())
        .put("offsetResets", group.offsetResets())
        .put("members", members)
        .put("partitions", partitions);
  }
}
