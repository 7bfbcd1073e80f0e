package dev.fanout.app;

import dev.fanout.compose.PartsFactory;
import dev.fanout.db.EmbeddedDatabase;
import dev.fanout.tracing.Tracing;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar app/target/fanout.jar [options]}: starts Fanout ({@link FanoutApp}), prints the banner, and
 * leaves it running on Vert.x's threads; a SIGTERM stops it cleanly (at most {@value #STOP_TIMEOUT_SECONDS} s).
 */
@Command(name = "fanout", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
    description = {"Write once, read by many: serves Fanout's API and dashboard until stopped.",
        "Every option may also be given as its environment variable; a flag wins."},
    footer = {"", "The lab (three designs under faults): java -jar app/target/fanout.jar lab --help",
        "A webhook receiver to try subscriptions with: java -jar app/target/fanout.jar receiver --help"})
final class ServeCommand implements Callable<Integer>, Cli.Checked {

  /** A stop (SIGTERM) that takes longer than this is cut short; the JVM exits anyway. */
  static final long STOP_TIMEOUT_SECONDS = 20;

  /**
   * A system property for the build's training run of the class-data archive ({@code app/pom.xml}):
   * {@code -Dfanout.cds-training=true} starts the app, waits until {@code /health/ready} answers 200, stops it
   * cleanly and exits 0, so that a JVM run with {@code -XX:ArchiveClassesAtExit} writes every class a start
   * loads into the archive.
   */
  static final String CDS_TRAINING = "fanout.cds-training";

  @Mixin
  AppOptions app;

  @Spec
  CommandSpec spec;

  // written by check() and call(), on the thread that runs the command line
  private FanoutOptions options;
  private volatile boolean serving;

  @Override
  public void check() {
    options = FanoutOptions.from(app);
  }

  /** Whether the app was started and is running. */
  boolean serving() {
    return serving;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (options.pgUrl() == null) {
      // beside the logging set-up and Vert.x's start: the embedded server's first steps need neither
      EmbeddedDatabase.prepare();
    }
    // first: the parts below log from their first line on
    Path logFile = Logs.configure(options.dataDir(), app.logLevel);
    Tracing tracing = Tracing.fromEnvironment();
    Vertx vertx = PartsFactory.vertx(tracing);
    FanoutApp started;
    try {
      started = FanoutApp.start(vertx, options, tracing).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      err.println("fanout: could not start: " + dev.fanout.core.Redaction.of(e.getCause().getMessage()));
      vertx.close();
      return 1;
    }
    banner(out, err, started, logFile);
    if (Boolean.getBoolean(CDS_TRAINING)) {
      return trainingStop(started, vertx, err);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      long start = System.nanoTime();
      try {
        started.stop().toCompletionStage().toCompletableFuture().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        System.out.println("fanout: stopped cleanly in " + (System.nanoTime() - start) / 1_000_000 + " ms");
      } catch (Exception e) {
        System.err.println("fanout: unclean stop: " + e.getMessage());
      }
      vertx.close();
    }, "fanout-shutdown"));
    serving = true;
    return 0;
  }

  // the training run's end: ready, then a clean stop, as a user's start and stop would load them
  private int trainingStop(FanoutApp started, Vertx vertx, PrintWriter err) throws InterruptedException {
    URI ready = URI.create("http://" + options.host() + ":" + started.port() + "/health/ready");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int status = 0;
    while (status != 200 && System.nanoTime() < deadline) {
      try {
        HttpURLConnection connection = (HttpURLConnection) ready.toURL().openConnection();
        status = connection.getResponseCode();
        connection.disconnect();
      } catch (IOException e) {
        status = 0;
      }
      if (status != 200) {
        TimeUnit.MILLISECONDS.sleep(50); // a command-line thread, not an event loop
      }
    }
    try {
      started.stop().toCompletionStage().toCompletableFuture().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      err.println("fanout: training run: unclean stop: " + e);
      return 1;
    } finally {
      vertx.close();
    }
    if (status != 200) {
      err.println("fanout: training run: " + ready + " never answered 200");
      return 1;
    }
    return 0;
  }

  private void banner(PrintWriter out, PrintWriter err, FanoutApp running, Path logFile) {
    String base = "http://" + options.host() + ":" + running.port();
    out.println("Fanout " + Version.current() + " is up (backend " + options.backend() + ", "
        + options.partitions() + " partitions)");
    out.println("  dashboard  " + base + "/");
    out.println("  publish    POST " + base + "/api/blogs");
    out.println("  API        " + base + "/api/info, " + base + "/api/groups, " + base + "/api/topics");
    out.println("  health     " + base + "/health/live, " + base + "/health/ready");
    out.println("  metrics    " + base + "/metrics");
    out.println("  data       " + options.dataDir());
    out.println("  log        " + logFile + " (the console shows " + app.logLevel.toLowerCase(java.util.Locale.ROOT)
        + " and above: --log-level)");
    if (options.adminToken() == null) {
      out.println("  admin      generated token for this run (set --admin-token or FANOUT_ADMIN_TOKEN to choose one):");
      out.println("             Authorization: Bearer " + running.adminToken());
    }
    FanoutOptions.Auth auth = options.auth();
    if (!auth.tokens()) {
      err.println("fanout: WARNING: --auth none: writes are not authenticated; anyone who can reach "
          + base + " can publish, change or delete as any author. Only run this behind a gateway that "
          + "authenticates.");
    } else if (auth.jwksUrl() != null) {
      out.println("  authors    writes need a token from the identity provider (keys: " + auth.jwksUrl() + ")");
      if (auth.issuer() == null || auth.audience() == null) {
        err.println("fanout: WARNING: --jwt-no-issuer-audience-check: the provider's tokens are accepted without "
            + (auth.issuer() == null ? "an issuer" : "") + (auth.issuer() == null && auth.audience() == null ? " or " : "")
            + (auth.audience() == null ? "an audience" : "") + " check, so a token it issued to any other client "
            + "can write here. Give --jwt-issuer and --jwt-audience.");
      }
    } else {
      out.println("  authors    writes need an author token; mint one with the admin token:");
      out.println("             curl -X POST -H 'Authorization: Bearer <admin token>' " + base
          + "/api/admin/authors/<authorId>/tokens");
    }
    out.flush();
    err.flush();
  }
}
