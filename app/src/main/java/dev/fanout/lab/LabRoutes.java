package dev.fanout.lab;

import dev.fanout.http.ApiErrors;
import dev.fanout.http.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab over HTTP, for the dashboard's lab page:
 *
 * <ul>
 *   <li>{@code POST /api/admin/lab/runs} (the admin token is checked before these routes) with an optional
 *       JSON plan ({@link LabSettings#fromJson}: the command line's options in camelCase) starts a lab and
 *       answers 202 with its {@link Lab#progress()} at once; the lab goes on after the answer. 409
 *       {@code lab_running} while one runs, 400 naming the field for a bad plan (checked before the lab is
 *       made or started).</li>
 *   <li>{@code GET /api/lab}, public and read-only: {@code {progress, lastResult}}, the last finished lab's
 *       {@link LabResult#toJson()} or null. Before any lab was started it reports one that is not running,
 *       without making one.</li>
 * </ul>
 *
 * The lab runs on the context of the request that started it; see {@link Lab#run} for why that never blocks
 * an event loop.
 */
public final class LabRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(LabRoutes.class);

  private final Supplier<Future<Lab>> lab;
  private final Supplier<Lab> made;

  /**
   * @param lab  the app's lab, made on the first call (its database, stream and scratch directory)
   * @param made the app's lab if it was made already, else null; never makes one
   */
  public LabRoutes(Supplier<Future<Lab>> lab, Supplier<Lab> made) {
    this.lab = lab;
    this.made = made;
  }

  public void mount(Router router) {
    router.post("/api/admin/lab/runs").handler(ctx -> ApiErrors.respond(ctx, 202, () -> {
      LabPlan plan = LabSettings.fromJson(body(ctx));
      return lab.get().compose(current -> {
        Future<LabResult> running = current.run(plan);
        if (running.failed()) {
          // a lab already running: refused at once, nothing started
          return Future.failedFuture(running.cause());
        }
        running.onFailure(e -> LOG.warn("the lab started over HTTP could not run", e));
        return Future.succeededFuture(current.progress());
      });
    }));
    router.get("/api/lab").handler(ctx -> ApiErrors.respond(ctx, 200, () -> {
      Lab current = made.get();
      LabResult last = current == null ? null : current.lastResult();
      return Future.succeededFuture(new JsonObject()
          .put("progress", current == null ? new JsonObject().put("running", false) : current.progress())
          .put("lastResult", last == null ? null : last.toJson()));
    }));
  }

  // the plan is optional: no body at all runs the defaults
  private static JsonObject body(RoutingContext ctx) {
    return ctx.body() == null || ctx.body().length() == 0 ? new JsonObject() : JsonBodies.object(ctx);
  }
}
