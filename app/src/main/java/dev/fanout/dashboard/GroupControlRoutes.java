package dev.fanout.dashboard;

import dev.fanout.core.Refusal;
import dev.fanout.http.ApiErrors;
import dev.fanout.http.JsonBodies;
import dev.fanout.consumer.GroupRegistry;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.outbox.OffsetResets;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.OffsetSpec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controls of the consumer groups, for people (the dashboard) and scripts alike, under
 * {@code /api/admin/groups/{group}/}: pause, resume, reset (with preview), crash a member, add or remove a
 * member, replay the dead letters. Each answers with JSON naming the group. The admin token is checked
 * before these routes.
 */
public final class GroupControlRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(GroupControlRoutes.class);

  private final EventStream stream;
  private final GroupRegistry groups;
  private final OffsetResets resets;

  public GroupControlRoutes(EventStream stream, GroupRegistry groups, OffsetResets resets) {
    this.stream = stream;
    this.groups = groups;
    this.resets = resets;
  }

  public void mount(Router router) {
    String base = "/api/admin/groups/:group";
    control(router.post(base + "/pause"), (ctx, g) -> g.pause().map(v -> answer(g).put("paused", true)));
    control(router.post(base + "/resume"), (ctx, g) -> g.resume().map(v -> answer(g).put("paused", false)));
    control(router.post(base + "/crash"), (ctx, g) -> g.crashMember().map(id -> answer(g).put("crashed", id)));
    control(router.post(base + "/members"), (ctx, g) -> g.addMember().map(id -> answer(g)));
    control(router.delete(base + "/members"), (ctx, g) -> g.removeMember().map(v -> answer(g)));
    control(router.post(base + "/dead-letters/replay"), (ctx, g) -> g.replayDeadLetters());
    control(router.post(base + "/reset"), this::reset);
  }

  private interface Control {
    Future<JsonObject> run(RoutingContext ctx, LocalGroup group);
  }

  private void control(Route route, Control control) {
    route.handler(ctx -> ApiErrors.respond(ctx, 200, () -> {
      LocalGroup group = groups.find(ctx.pathParam("group")).orElse(null);
      if (group == null) {
        throw new Refusal(Refusal.Kind.NOT_FOUND, "not_found", "no consumer group '" + ctx.pathParam("group")
            + "' runs here; groups: " + String.join(", ", groups.names()), "group");
      }
      return control.run(ctx, group).recover(e -> Future.failedFuture(
          e instanceof IllegalStateException ? Refusal.conflict("conflict", e.getMessage(), null) : e));
    }));
  }

  private static JsonObject answer(LocalGroup group) {
    return DashboardSnapshot.figures(group.status()).put("group", group.name());
  }

  private Future<JsonObject> reset(RoutingContext ctx, LocalGroup group) {
    JsonObject body = JsonBodies.object(ctx);
    Object to = body.getValue("to");
    OffsetSpec spec;
    if ("earliest".equals(to)) {
      spec = OffsetSpec.earliest();
    } else if ("latest".equals(to)) {
      spec = OffsetSpec.latest();
    } else if ("timestamp".equals(to)) {
      if (!(body.getValue("timestamp") instanceof Number ts) || ts.longValue() < 0) {
        throw Refusal.invalid("timestamp", "timestamp: milliseconds since the epoch are required with \"to\": \"timestamp\"");
      }
      spec = OffsetSpec.timestamp(ts.longValue());
    } else {
      throw Refusal.invalid("to", "to: one of \"earliest\", \"latest\", \"timestamp\" is required");
    }
    Object preview = body.getValue("preview", false);
    if (!(preview instanceof Boolean)) {
      throw Refusal.invalid("preview", "preview: true or false");
    }
    return stream.admin().resetOffsets(group.name(), group.topic(), spec, (Boolean) preview)
        .compose(offsets -> (Boolean) preview ? Future.succeededFuture(offsets) : resets.noted(group.name())
            .recover(e -> {
              // the reset holds; what it passed over is then found when a relay leader next starts
              LOG.warn("group {}: noting its offset reset failed: {}", group.name(), e.toString());
              return Future.succeededFuture();
            }).map(offsets))
        .map(offsets -> {
      JsonArray partitions = new JsonArray();
      new java.util.TreeMap<>(offsets).forEach((p, o) -> partitions.add(new JsonObject().put("partition", p).put("offset", o)));
      return new JsonObject().put("group", group.name()).put("topic", group.topic())
          .put("to", to).put("preview", preview).put("offsets", partitions);
    });
  }
}
