package dev.fanout.app;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.fanout.core.Redaction;

/**
 * A Logback pattern layout whose lines, stack traces included, go through {@link Redaction}: whatever a
 * library puts in a message or an exception, a URL's {@code user:password@} never reaches a log.
 */
public final class RedactingLayout extends PatternLayout {

  @Override
  public String doLayout(ILoggingEvent event) {
    return Redaction.of(super.doLayout(event));
  }
}
