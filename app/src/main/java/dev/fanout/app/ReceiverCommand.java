package dev.fanout.app;

import dev.fanout.subscription.WebhookReceiver;
import dev.fanout.subscription.WebhookSecret;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar app/target/fanout.jar receiver --secret whsec_... [options]}: a webhook subscriber to try
 * subscriptions with ({@link WebhookReceiver}). It checks each request's signature, prints one line per request
 * ({@code accepted ...}, {@code refused ...}, {@code failed (simulated) ...}) and runs until stopped.
 * Its options are its own: none of the app's, no environment variables.
 */
@Command(name = "receiver", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
    description = {"A webhook receiver to try subscriptions with: checks each request's signature (Standard Webhooks)",
        "and prints one line per request; 401 for a bad signature, 503 for the simulated failures."})
final class ReceiverCommand implements Callable<Integer>, Cli.Checked {

  @Option(names = "--port", defaultValue = "9000", description = "HTTP port the receiver listens on (0 picks a free port)")
  @Bounds(min = 0, max = 65_535)
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address the receiver listens on")
  String host;

  @Option(names = "--secret", required = true,
      description = "the subscription's secret, whsec_...; give it twice to accept either of two during a rotation")
  List<String> secrets;

  @Option(names = "--latency-ms", defaultValue = "0", description = "how long each answer waits")
  @Bounds(min = 0, max = 60_000)
  int latencyMillis;

  @Option(names = "--fail-rate", defaultValue = "0",
      description = "the share of valid requests answered 503 at random, 0 to 1 (0.25: one in four)")
  double failRate;

  @Spec
  CommandSpec spec;

  // set by check(), read by call(); both on the thread that runs the command line
  private WebhookReceiver.Settings settings;

  static CommandLine commandLine() {
    return new CommandLine(new ReceiverCommand());
  }

  /** Parses the receiver's command line as {@code fanout.jar receiver} would, without running it. */
  static WebhookReceiver.Settings parse(String[] args, Map<String, String> env) {
    ReceiverCommand receiver = Cli.parse(commandLine(), args, env);
    return receiver.settings;
  }

  @Override
  public void check() {
    List<WebhookSecret> parsed = new ArrayList<>();
    for (String secret : secrets) {
      try {
        parsed.add(WebhookSecret.parse(secret));
      } catch (IllegalArgumentException e) {
        // the message names the rule, never the value given
        throw new IllegalArgumentException("option --secret: " + e.getMessage());
      }
    }
    if (!(failRate >= 0 && failRate <= 1)) {
      throw new IllegalArgumentException("option --fail-rate: " + failRate + " is outside 0..1");
    }
    settings = new WebhookReceiver.Settings(host, port, parsed, latencyMillis, failRate);
  }

  /** Starts a receiver whose lines go to {@code out}, flushed line by line. */
  static Future<WebhookReceiver> start(Vertx vertx, WebhookReceiver.Settings settings, PrintWriter out) {
    return WebhookReceiver.start(vertx, settings, line -> {
      out.println(line);
      out.flush();
    });
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Vertx vertx = Vertx.vertx();
    WebhookReceiver receiver;
    try {
      receiver = start(vertx, settings, out).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      err.println("fanout receiver: could not start: " + cause.getMessage());
      vertx.close();
      return 1;
    }
    out.println("fanout receiver: listening on http://" + settings.host() + ":" + receiver.port() + "/ ("
        + settings.secrets().size() + (settings.secrets().size() == 1 ? " secret" : " secrets") + ", latency "
        + settings.latencyMillis() + " ms, fail rate " + settings.failRate() + "); stop with Ctrl-C");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
      stopped.countDown();
    }, "fanout-receiver-shutdown"));
    // the receiver runs on Vert.x's threads until the JVM is stopped
    stopped.await();
    return 0;
  }
}
