package dev.fanout.trace;

import dev.fanout.consumer.PermanentFailure;
import dev.fanout.consumer.SinkUnavailable;
import dev.fanout.core.Redaction;
import dev.fanout.core.Refusal;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * How a group's failure reads in a public answer (a trace's {@code lastError}): {@code code: text}, a stable
 * code and a short text that names no exception class, carries no address and quotes no message of
 * PostgreSQL or OpenSearch. Texts Fanout wrote for people (refusals, injected faults, a sink's reason for
 * rejecting an event) are kept, without credentials and cut to {@value #MAX_CHARS} characters. The whole
 * failure is logged where it happens (the group's pipeline).
 */
final class PublicFailure {

  static final int MAX_CHARS = 300;

  private PublicFailure() {
  }

  static String of(Throwable failure) {
    if (failure instanceof Refusal refusal) {
      return told(refusal.code(), refusal.getMessage());
    }
    if (failure instanceof SinkUnavailable) {
      return told("sink_unavailable", failure.getMessage());
    }
    if (failure instanceof PermanentFailure) {
      return told("rejected", failure.getMessage());
    }
    if (failure instanceof PgException pg) {
      // the SQLSTATE and constraint say which rule the event broke; PostgreSQL's message may quote the data
      return "database_refused: the database refused the event's data (SQLSTATE " + pg.getSqlState()
          + (pg.getConstraint() == null ? "" : ", constraint " + pg.getConstraint()) + ")";
    }
    if (failure instanceof CallNotPermittedException) {
      return "circuit_open: the sink's circuit breaker is open; it is tried again shortly";
    }
    if (failure instanceof TimeoutException) {
      return "timeout: the sink did not answer in time";
    }
    if (failure instanceof ConnectException) {
      return "sink_unreachable: the sink could not be reached";
    }
    return "failed: the attempt failed; the app's log has the details";
  }

  private static String told(String code, String message) {
    String text = message == null ? "no details" : Redaction.of(message.strip());
    return code + ": " + (text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "..." : text);
  }
}
