package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.events.BlogEvent;
import dev.fanout.subscription.DestinationPolicy;
import dev.fanout.subscription.WebhookClient;
import dev.fanout.subscription.WebhookPayload;
import dev.fanout.subscription.WebhookReceiver;
import dev.fanout.subscription.WebhookRefused;
import dev.fanout.subscription.WebhookSecret;
import dev.fanout.subscription.WebhookSigner;
import dev.fanout.subscription.WebhookUnavailable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code fanout.jar receiver}, started in-process from its parsed command line on a free port, receiving from
 * the real {@link WebhookClient}; and its command line (help, refusals) as a user meets it.
 */
class ReceiverCommandTest {

  private static Vertx vertx;
  private static WebhookClient client;

  private final WebhookSecret secret = WebhookSecret.generate();
  private final BlogEvent event = new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(),
      "alice", 1, "Hello", "World", List.of("t"), Instant.now(), Instant.now());
  private final WebhookPayload payload = WebhookPayload.of(event);

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    client = new WebhookClient(vertx, "test", true);
  }

  @AfterAll
  static void stop() throws Exception {
    await(client.close());
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private record Running(WebhookReceiver receiver, StringWriter out) {
    URL url() {
      return DestinationPolicy.parse("http://127.0.0.1:" + receiver.port() + "/hooks");
    }

    List<String> lines() {
      return out.toString().lines().toList();
    }
  }

  private static Running receiver(String... args) throws Exception {
    WebhookReceiver.Settings settings = ReceiverCommand.parse(args, Map.of());
    StringWriter out = new StringWriter();
    return new Running(await(ReceiverCommand.start(vertx, settings, new PrintWriter(out))), out);
  }

  @Test
  void aSignedWebhookIsAcceptedAndABadSignatureRefusedWith401() throws Exception {
    Running running = receiver("--port", "0", "--secret", secret.text());
    try {
      assertThat(await(client.deliver(running.url(), payload, List.of(secret), 5_000)).status()).isEqualTo(200);
      assertThat(running.lines()).containsExactly("accepted blog.published " + event.eventId() + " author=alice blog="
          + event.blogId() + " v1");

      WebhookSecret other = WebhookSecret.generate();
      assertThatThrownBy(() -> await(client.deliver(running.url(), payload, List.of(other), 5_000)))
          .isInstanceOf(WebhookRefused.class)
          .satisfies(e -> assertThat(((WebhookRefused) e).status()).isEqualTo(401));
      assertThat(running.lines()).hasSize(2).last().isEqualTo("refused " + event.eventId() + ": bad signature");

      // signed by WebhookSigner by hand, an hour ago: outside the tolerance
      long stale = Instant.now().minusSeconds(3600).getEpochSecond();
      HttpClientResponse response = await(vertx.createHttpClient().request(new RequestOptions()
              .setMethod(HttpMethod.POST).setAbsoluteURI(running.url())
              .putHeader("webhook-id", "msg_stale").putHeader("webhook-timestamp", Long.toString(stale))
              .putHeader("webhook-signature", WebhookSigner.of(secret).sign("msg_stale", stale, payload.body())))
          .compose(request -> request.send(Buffer.buffer(payload.body()))));
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(running.lines()).last().isEqualTo("refused msg_stale: timestamp outside the tolerance");
    } finally {
      await(running.receiver().close());
    }
  }

  @Test
  void duringARotationEitherSecretIsAccepted() throws Exception {
    WebhookSecret previous = WebhookSecret.generate();
    Running running = receiver("--port", "0", "--secret", secret.text(), "--secret", previous.text());
    try {
      await(client.deliver(running.url(), payload, List.of(previous), 5_000));
      await(client.deliver(running.url(), payload, List.of(secret), 5_000));
      assertThat(running.lines()).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("accepted "));
    } finally {
      await(running.receiver().close());
    }
  }

  @Test
  void aFailRateOfOneAnswers503AfterTheLatency() throws Exception {
    Running running = receiver("--port", "0", "--secret", secret.text(), "--fail-rate", "1", "--latency-ms", "300");
    try {
      long start = System.nanoTime();
      assertThatThrownBy(() -> await(client.deliver(running.url(), payload, List.of(secret), 5_000)))
          .isInstanceOf(WebhookUnavailable.class)
          .satisfies(e -> assertThat(((WebhookUnavailable) e).kind()).isEqualTo("status 503"));
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
      assertThat(running.lines()).singleElement().asString().startsWith("failed (simulated) blog.published "
          + event.eventId());
    } finally {
      await(running.receiver().close());
    }
  }

  private record Ran(int code, String out, String err) {
  }

  private static Ran run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Cli.run(Main.commandLine(new ServeCommand()), args, Map.of(), new PrintWriter(out), new PrintWriter(err));
    return new Ran(code, out.toString().replaceAll("\\s+", " "), err.toString().replaceAll("\\s+", " "));
  }

  @Test
  void itsHelpListsItsOptionsAndTheAppsHelpPointsToIt() {
    Ran help = run("receiver", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("--port").contains("default 9000").contains("--host").contains("--secret")
        .contains("--latency-ms").contains("0 to 60000").contains("--fail-rate").doesNotContain("--backend");
    assertThat(help.err()).isEmpty();
    assertThat(run("--help").out()).contains("receiver --help");
  }

  @Test
  void badValuesStopWithTheOptionNamedAndExitCodeTwoWithoutRepeatingASecret() {
    String secretText = secret.text();
    Ran rate = run("receiver", "--secret", secretText, "--fail-rate", "1.5");
    assertThat(rate.code()).isEqualTo(Cli.USAGE);
    assertThat(rate.err()).contains("--fail-rate").contains("0..1");
    Ran latency = run("receiver", "--secret", secretText, "--latency-ms", "-1");
    assertThat(latency.code()).isEqualTo(Cli.USAGE);
    assertThat(latency.err()).contains("--latency-ms");
    Ran missing = run("receiver");
    assertThat(missing.code()).isEqualTo(Cli.USAGE);
    assertThat(missing.err()).contains("--secret");
    Ran bad = run("receiver", "--secret", "whsec_short-and-very-private");
    assertThat(bad.code()).isEqualTo(Cli.USAGE);
    assertThat(bad.err()).contains("--secret").doesNotContain("short-and-very-private");
    Ran port = run("receiver", "--secret", secretText, "--port", "70000");
    assertThat(port.code()).isEqualTo(Cli.USAGE);
    assertThat(port.err()).contains("--port").doesNotContain(secretText.substring(6));
  }
}
