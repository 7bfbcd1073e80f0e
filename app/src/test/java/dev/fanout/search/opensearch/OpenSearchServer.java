package dev.fanout.search.opensearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node OpenSearch for one test class, from the integ-test distribution that Maven unpacks into
 * {@code target/opensearch} (see the app pom's {@code unpack-opensearch} execution).
 *
 * <p>Each server runs from its own copy of the distribution in a temp directory, so runs never share data.
 * It listens on 127.0.0.1 only, on ports the OS picks (read back from OpenSearch's ports file). OpenSearch
 * refuses to run as root: when the tests run as root, the copy is given to the system user
 * {@value #USER} (created when missing) and started through {@code runuser}. Its console output goes to
 * {@code target/opensearch-logs/}, which survives {@link #close()} for diagnosis.
 */
public final class OpenSearchServer implements AutoCloseable {

  static final String USER = "fanout-os";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Path DISTRIBUTIONS = Path.of("target", "opensearch");
  private static final Path LOGS = Path.of("target", "opensearch-logs");

  private final Process process;
  private final Path copy;
  private final Path log;
  private final String baseUrl;
  private final Thread shutdownHook;

  private OpenSearchServer(Process process, Path copy, Path log, String baseUrl, Thread shutdownHook) {
    this.process = process;
    this.copy = copy;
    this.log = log;
    this.baseUrl = baseUrl;
    this.shutdownHook = shutdownHook;
  }

  /** Starts a server and waits until the cluster is at least yellow; fails with the log's tail otherwise. */
  public static OpenSearchServer start() throws IOException, InterruptedException {
    Path distribution = distribution();
    Path copy = Files.createTempDirectory("fanout-opensearch-");
    Path home = copy.resolve("home");
    copyTree(distribution, home);
    Path tmp = Files.createDirectories(home.resolve("tmp"));

    List<String> command = new ArrayList<>();
    if (isRoot()) {
      ensureUser();
      run("chown", "-R", USER + ":", copy.toString());
      command.addAll(List.of("runuser", "-u", USER, "--"));
    }
    command.addAll(List.of("bin/opensearch",
        "-Ecluster.name=fanout-test",
        "-Ediscovery.type=single-node",
        "-Enetwork.host=127.0.0.1",
        "-Ehttp.port=0",
        "-Etransport.port=0",
        "-Enode.portsfile=true",
        // a nearly full disk must not turn the test index read-only
        "-Ecluster.routing.allocation.disk.threshold_enabled=false"));

    Files.createDirectories(LOGS);
    Path log = LOGS.resolve("opensearch-" + Instant.now().toString().replace(':', '-') + "-"
        + ProcessHandle.current().pid() + ".log").toAbsolutePath();
    ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
    Map<String, String> env = builder.environment();
    String javaHome = System.getProperty("java.home");
    env.put("JAVA_HOME", javaHome);
    env.put("OPENSEARCH_JAVA_HOME", javaHome);
    // C1 only: starts in about half the time on a busy 2-core machine
    env.put("OPENSEARCH_JAVA_OPTS", "-Xms256m -Xmx256m -XX:TieredStopAtLevel=1 -XX:-UsePerfData");
    // saves the start script one JVM launch
    env.put("OPENSEARCH_TMPDIR", tmp.toString());
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("_JAVA_OPTIONS");

    long started = System.nanoTime();
    Process process = builder.start();
    process.getOutputStream().close();
    Thread hook = new Thread(() -> {
      stop(process);
      deleteTree(copy);
    }, "opensearch-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    OpenSearchServer server = null;
    try {
      String address = awaitPortsFile(process, home.resolve("logs").resolve("http.ports"), log, started);
      server = new OpenSearchServer(process, copy, log, "http://" + address, hook);
      server.awaitYellow(started);
      System.out.printf("OpenSearch up at %s in %d ms (log %s)%n", server.baseUrl,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), log);
      return server;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      if (server != null) {
        server.close();
      } else {
        Runtime.getRuntime().removeShutdownHook(hook);
        stop(process);
        deleteTree(copy);
      }
      throw e;
    }
  }

  /** e.g. {@code http://127.0.0.1:40007}, without a trailing slash. */
  public String baseUrl() {
    return baseUrl;
  }

  /** The server's console output. */
  public Path log() {
    return log;
  }

  /** Stops the server (SIGTERM, then SIGKILL after 30 s) and deletes its copy and data; keeps the log. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      return; // the hook is already running and does the same
    }
    stop(process);
    deleteTree(copy);
  }

  private static Path distribution() throws IOException {
    if (Files.isDirectory(DISTRIBUTIONS)) {
      try (Stream<Path> children = Files.list(DISTRIBUTIONS)) {
        Path found = children.filter(dir -> Files.isRegularFile(dir.resolve("bin").resolve("opensearch")))
            .findFirst().orElse(null);
        if (found != null) {
          return found;
        }
      }
    }
    throw new IllegalStateException("no OpenSearch distribution in " + DISTRIBUTIONS.toAbsolutePath()
        + ": run the tests through Maven (./mvnw -pl app -am test), whose process-test-resources phase unpacks it");
  }

  private static boolean isRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return Integer.valueOf(0).equals(uid);
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static synchronized void ensureUser() throws IOException, InterruptedException {
    if (exitCode("id", "-u", USER) == 0) {
      return;
    }
    int created = exitCode("useradd", "-M", "-r", "-s", "/usr/sbin/nologin", USER);
    // 9: created meanwhile by another run
    if (created != 0 && created != 9 && exitCode("id", "-u", USER) != 0) {
      throw new IllegalStateException("could not create the user " + USER + " (useradd exit " + created + ")");
    }
  }

  private static String awaitPortsFile(Process process, Path portsFile, Path log, long started)
      throws IOException, InterruptedException {
    while (true) {
      if (Files.isRegularFile(portsFile)) {
        List<String> lines = Files.readAllLines(portsFile);
        if (!lines.isEmpty() && !lines.get(0).isBlank()) {
          return lines.get(0).trim();
        }
      }
      checkAlive(process, log, started);
    }
  }

  private void awaitYellow(long started) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health = HttpRequest.newBuilder(
            URI.create(baseUrl + "/_cluster/health?wait_for_status=yellow&timeout=5s"))
        .timeout(Duration.ofSeconds(10)).GET().build();
    while (true) {
      try {
        HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      checkAlive(process, log, started);
    }
  }

  /** Waits a little; fails when the process died or the start took too long. */
  private static void checkAlive(Process process, Path log, long started) throws InterruptedException {
    if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("OpenSearch exited with " + process.exitValue() + "; log " + log + ":\n"
          + tail(log));
    }
    if (System.nanoTime() - started > START_TIMEOUT.toNanos()) {
      throw new IllegalStateException("OpenSearch not up after " + START_TIMEOUT.toSeconds() + " s; log " + log
          + ":\n" + tail(log));
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * SIGTERM to the OpenSearch JVM (runuser would kill it after 2 s if signalled first), then waits; SIGKILL
   * to anything left after {@link #STOP_TIMEOUT}.
   */
  private static void stop(Process process) {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    if (tree.size() > 1) {
      tree.subList(0, tree.size() - 1).forEach(ProcessHandle::destroy);
    } else {
      process.destroy();
    }
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    for (ProcessHandle handle : tree) {
      try {
        handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception stillAlive) {
        handle.destroyForcibly();
      }
    }
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
            LinkOption.NOFOLLOW_LINKS);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    int code = exitCode(command);
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited with " + code);
    }
  }

  private static int exitCode(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
