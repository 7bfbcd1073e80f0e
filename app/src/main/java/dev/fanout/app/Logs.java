package dev.fanout.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Where the process's log lines go once it runs: the console (stderr) shows lines of the chosen level and
 * above, {@code warn} unless told otherwise, so that a start shows the banner and not the chatter of the
 * parts underneath (the embedded PostgreSQL's initdb and server output, Flyway, Kafka, Vert.x); the log
 * file {@code <data-dir>/logs/fanout.log} receives every line of level {@code info} and above (and of the
 * chosen level when that is finer), from every library, including those that log through
 * {@code java.util.logging}. The file rolls over at {@value #ROLL_AT_MB} MB and keeps {@value #KEPT_FILES}
 * old files beside it ({@code fanout.1.log} the newest). Every line is {@link RedactingLayout redacted}:
 * credentials in URLs never reach the console or the file.
 *
 * <p>Before {@link #configure} runs, {@link StartupLogging} (or {@code logback-test.xml} in the tests) shows
 * warnings and errors on the console and writes no file.
 */
public final class Logs {

  /** The level names {@link #configure} accepts, in any case; the console shows the named level and above. */
  public static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");

  static final int ROLL_AT_MB = 10;
  static final int KEPT_FILES = 5;
  private static final String CONSOLE_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n";
  private static final String FILE_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

  private Logs() {
  }

  /**
   * Replaces the logging configuration of this process: the console shows {@code level} and above, the
   * file under {@code dataDir} everything from {@code info} (or {@code level}, if finer) up. Call it once,
   * first thing, before the parts that log start; it blocks briefly (it creates the logs directory).
   *
   * @param level one of {@link #LEVELS}, in any case
   * @return the log file
   * @throws IllegalArgumentException for any other level name, naming the allowed ones; logging is then left as
   *                                  it was
   * @throws UncheckedIOException     when the logs directory cannot be created
   */
  public static Path configure(Path dataDir, String level) {
    Level console = parse(level);
    Level file = console.isGreaterOrEqual(Level.INFO) ? Level.INFO : console;
    Path logFile = dataDir.resolve("logs").resolve("fanout.log").toAbsolutePath();
    try {
      Files.createDirectories(logFile.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the log directory " + logFile.getParent(), e);
    }

    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    // java.util.logging's levels follow Logback's, so that a disabled JUL call costs nothing on the way here
    LevelChangePropagator propagator = new LevelChangePropagator();
    propagator.setContext(context);
    propagator.setResetJUL(true);
    propagator.start();
    context.addListener(propagator);

    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(file);
    root.addAppender(consoleAppender(context, console));
    root.addAppender(fileAppender(context, logFile, file));

    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    return logFile;
  }

  /** The level named {@code name} (any case), or an {@link IllegalArgumentException} naming the allowed ones. */
  static Level parse(String name) {
    String lower = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (!LEVELS.contains(lower)) {
      throw new IllegalArgumentException("unknown log level '" + name + "': use one of " + String.join(", ", LEVELS));
    }
    return Level.toLevel(lower);
  }

  private static ConsoleAppender<ILoggingEvent> consoleAppender(LoggerContext context, Level level) {
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("console");
    // stdout is the banner's and whatever a command prints for its reader
    appender.setTarget("System.err");
    appender.setEncoder(encoder(context, CONSOLE_PATTERN));
    appender.addFilter(threshold(context, level));
    appender.start();
    return appender;
  }

  private static RollingFileAppender<ILoggingEvent> fileAppender(LoggerContext context, Path file, Level level) {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName("file");
    appender.setFile(file.toString());
    appender.setEncoder(encoder(context, FILE_PATTERN));
    appender.addFilter(threshold(context, level));

    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(context);
    rolling.setParent(appender);
    rolling.setFileNamePattern(file.resolveSibling("fanout.%i.log").toString());
    rolling.setMinIndex(1);
    rolling.setMaxIndex(KEPT_FILES);
    rolling.start();
    SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
    trigger.setContext(context);
    trigger.setMaxFileSize(FileSize.valueOf(ROLL_AT_MB + "MB"));
    trigger.start();
    appender.setRollingPolicy(rolling);
    appender.setTriggeringPolicy(trigger);
    appender.start();
    return appender;
  }

  /** A started encoder of {@code pattern} through the redacting layout (every appender of the app uses one). */
  static LayoutWrappingEncoder<ILoggingEvent> encoder(LoggerContext context, String pattern) {
    RedactingLayout layout = new RedactingLayout();
    layout.setContext(context);
    layout.setPattern(pattern);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    return encoder;
  }

  private static ThresholdFilter threshold(LoggerContext context, Level level) {
    ThresholdFilter filter = new ThresholdFilter();
    filter.setContext(context);
    filter.setLevel(level.levelStr);
    filter.start();
    return filter;
  }
}
