package dev.fanout.subscription;

import dev.fanout.http.ApiErrors;
import dev.fanout.http.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * The admin API of webhook subscriptions, under {@code /api/admin/subscriptions} (the admin token is checked
 * before these routes): create, list, read, pause, resume, rotate the secret, resync, delete. The group's own
 * controls ({@code /api/admin/groups/sub-<name>/...}: reset, dead-letter replay, members) work as for any group.
 */
public final class SubscriptionRoutes {

  private static final String BASE = "/api/admin/subscriptions";

  private final Subscriptions subscriptions;

  public SubscriptionRoutes(Subscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  public void mount(Router router) {
    router.post(BASE).handler(ctx -> ApiErrors.respond(ctx, 201,
        () -> subscriptions.create(NewSubscription.parse(JsonBodies.object(ctx)))));
    router.get(BASE).handler(ctx -> ApiErrors.respond(ctx, 200, subscriptions::list));
    named(router.get(BASE + "/:name")::handler, subscriptions::get);
    named(router.delete(BASE + "/:name")::handler, subscriptions::delete);
    named(router.post(BASE + "/:name/pause")::handler, subscriptions::pause);
    named(router.post(BASE + "/:name/resume")::handler, subscriptions::resume);
    named(router.post(BASE + "/:name/secret")::handler, subscriptions::rotateSecret);
    named(router.post(BASE + "/:name/resync")::handler, subscriptions::resync);
  }

  private interface Mount {
    Object handler(io.vertx.core.Handler<RoutingContext> handler);
  }

  private static void named(Mount route, Function<String, Future<JsonObject>> action) {
    route.handler(ctx -> ApiErrors.respond(ctx, 200, () -> action.apply(ctx.pathParam("name"))));
  }
}
