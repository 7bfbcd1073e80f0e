package dev.fanout.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging until {@link Logs#configure} runs (the app does it first thing; tools that only load the app's
 * classes may never do): warnings and errors on the console, on stderr, so that stdout keeps what a command
 * prints for its reader; every line {@link RedactingLayout redacted}. Logback finds this class through
 * {@code META-INF/services} before it looks for an XML file, and setting it up in code spares a start the
 * XML parser (about 0.3 s of a start).
 *
 * <p>An XML configuration still wins when one is asked for: {@code -Dlogback.configurationFile=...}, or a
 * {@code logback-test.xml} on the classpath (the tests'); Logback then reads it as it always did.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class StartupLogging extends ContextAwareBase implements Configurator {

  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

  /** Public with no arguments: Logback's {@code ServiceLoader} makes it. */
  public StartupLogging() {
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || StartupLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    LayoutWrappingEncoder<ILoggingEvent> encoder = Logs.encoder(context, PATTERN);
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(console);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
