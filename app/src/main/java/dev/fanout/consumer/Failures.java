package dev.fanout.consumer;

import dev.fanout.events.InvalidEventException;
import io.vertx.pgclient.PgException;

/**
 * Sorts failures into transient (try again later: a sink is down, a timeout, a lost connection) and
 * permanent (the event is at fault). Anything not known to be permanent is transient: misjudging a
 * permanent failure as transient only delays a partition, while the reverse would dead-letter good
 * events during an outage.
 */
public final class Failures {

  private Failures() {
  }

  public static boolean isPermanent(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PermanentFailure || t instanceof InvalidEventException) {
        return true;
      }
      if (t instanceof PgException pg && pg.getSqlState() != null) {
        // class 22: data exception; class 23: integrity constraint violation. Both are about the row.
        String sqlClass = pg.getSqlState().substring(0, Math.min(2, pg.getSqlState().length()));
        return sqlClass.equals("22") || sqlClass.equals("23");
      }
    }
    return false;
  }

  public static boolean isTransient(Throwable failure) {
    return !isPermanent(failure);
  }
}
