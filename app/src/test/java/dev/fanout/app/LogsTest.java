package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.fanout.db.EmbeddedDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.logging.LogManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

class LogsTest {

  private static final Logger LOG = LoggerFactory.getLogger("dev.fanout.app.LogsTest.lines");

  @TempDir
  Path dataDir;

  private PrintStream realErr;
  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  @BeforeEach
  void captureConsole() {
    realErr = System.err;
    System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
  }

  // the rest of this JVM's tests log as logback-test.xml says, and to no file of this test
  @AfterEach
  void restore() throws Exception {
    System.setErr(realErr);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
    SLF4JBridgeHandler.uninstall();
    LogManager.getLogManager().readConfiguration();
  }

  @Test
  void byDefaultInfoGoesOnlyToTheFileAndWarningsToBoth() throws Exception {
    Path file = Logs.configure(dataDir, "warn");
    assertThat(file).isEqualTo(dataDir.resolve("logs").resolve("fanout.log").toAbsolutePath());

    String info = "an info line " + UUID.randomUUID();
    String warning = "a warning " + UUID.randomUUID();
    String debug = "a debug line " + UUID.randomUUID();
    LOG.info(info);
    LOG.warn(warning);
    LOG.debug(debug);

    awaitInFile(file, warning);
    assertThat(Files.readString(file)).contains(info).doesNotContain(debug);
    assertThat(console()).contains(warning).doesNotContain(info).doesNotContain(debug);
  }

  @Test
  void julLinesAreRoutedAlike() throws Exception {
    Path file = Logs.configure(dataDir, "WARN");
    String info = "a JUL info line " + UUID.randomUUID();
    String warning = "a JUL warning " + UUID.randomUUID();
    java.util.logging.Logger jul = java.util.logging.Logger.getLogger("some.library.using.jul");
    jul.info(info);
    jul.warning(warning);

    awaitInFile(file, warning);
    assertThat(Files.readString(file)).contains(info);
    assertThat(console()).contains(warning).doesNotContain(info);
  }

  @Test
  void aFinerLevelShowsOnTheConsoleAndInTheFile() throws Exception {
    Path file = Logs.configure(dataDir, "Debug");
    String debug = "a debug line " + UUID.randomUUID();
    String trace = "a trace line " + UUID.randomUUID();
    LOG.debug(debug);
    LOG.trace(trace);

    awaitInFile(file, debug);
    assertThat(Files.readString(file)).doesNotContain(trace);
    assertThat(console()).contains(debug).doesNotContain(trace);
  }

  @Test
  void errorLeavesWarningsToTheFile() throws Exception {
    Path file = Logs.configure(dataDir, "error");
    String warning = "a warning " + UUID.randomUUID();
    String error = "an error " + UUID.randomUUID();
    LOG.warn(warning);
    LOG.error(error);

    awaitInFile(file, error);
    assertThat(Files.readString(file)).contains(warning);
    assertThat(console()).contains(error).doesNotContain(warning);
  }

  @Test
  void anUnknownLevelIsRefusedWithTheAllowedNames() {
    assertThatThrownBy(() -> Logs.configure(dataDir, "verbose"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("verbose")
        .hasMessageContaining("error, warn, info, debug, trace");
    assertThatThrownBy(() -> Logs.configure(dataDir, null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(dataDir.resolve("logs")).doesNotExist();
  }

  // the embedded server's own output (and initdb's, when a cluster template is made), and its "Did not clean up
  // directory" at close, are INFO
  @Test
  void theEmbeddedDatabaseTalksToTheFileOnly() throws Exception {
    Path file = Logs.configure(dataDir, "warn");
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir.resolve("pg"))) {
      assertThat(database.port()).isPositive();
    }

    awaitInFile(file, "Did not clean up directory");
    assertThat(Files.readString(file)).contains("database system is ready to accept connections");
    assertThat(console()).doesNotContain("Did not clean up directory")
        .doesNotContain("database system is ready to accept connections");
  }

  private String console() {
    return console.toString(StandardCharsets.UTF_8);
  }

  private static void awaitInFile(Path file, String text) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> Files.exists(file) && Files.readString(file).contains(text));
  }
}
