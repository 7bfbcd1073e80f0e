package dev.fanout.faults;

import dev.fanout.http.ApiErrors;
import dev.fanout.http.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * The fault-injection admin API: {@code POST /api/admin/faults} adds one (answering it as stored),
 * {@code GET} lists the active ones as {@code {"faults": [...]}}, {@code DELETE} clears them all
 * ({@code {"cleared": n}}). The admin token is checked before these routes.
 */
public final class FaultRoutes {

  private final FaultInjector faults;
  private final Clock clock;

  public FaultRoutes(FaultInjector faults, Clock clock) {
    this.faults = faults;
    this.clock = clock;
  }

  public void mount(Router router) {
    router.post("/api/admin/faults").handler(ctx -> ApiErrors.respond(ctx, 201, () -> {
      Fault fault = Fault.fromJson(JsonBodies.object(ctx), clock.instant(), faults.sinks());
      faults.add(fault);
      return Future.succeededFuture(fault.toJson());
    }));
    router.get("/api/admin/faults").handler(ctx -> ApiErrors.respond(ctx, 200, () -> {
      JsonArray list = new JsonArray();
      faults.list().forEach(f -> list.add(f.toJson()));
      return Future.succeededFuture(new JsonObject().put("faults", list));
    }));
    router.delete("/api/admin/faults").handler(ctx -> ApiErrors.respond(ctx, 200,
        () -> Future.succeededFuture(new JsonObject().put("cleared", faults.clear()))));
  }
}
