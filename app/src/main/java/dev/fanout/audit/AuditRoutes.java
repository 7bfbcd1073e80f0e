package dev.fanout.audit;

import dev.fanout.http.ApiErrors;
import io.vertx.ext.web.Router;

/**
 * {@code GET /api/audit}: the discrepancies between the blogs table, the author counts and the search index.
 * {@code POST /api/admin/audit/repair}: re-emits the events that close them. Access to {@code /api/admin/*}
 * is checked by a handler mounted before these routes, not here.
 */
public final class AuditRoutes {

  private final Audit audit;

  public AuditRoutes(Audit audit) {
    this.audit = audit;
  }

  public void mount(Router router) {
    router.get("/api/audit").handler(ctx -> ApiErrors.respond(ctx, 200, () -> audit.run().map(AuditReport::toJson)));
    router.post("/api/admin/audit/repair").handler(ctx -> ApiErrors.respond(ctx, 200, audit::repair));
  }
}
