package dev.fanout.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.standardwebhooks.Webhook;
import dev.fanout.consumer.Failures;
import dev.fanout.consumer.PermanentFailure;
import dev.fanout.consumer.SinkUnavailable;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a real Vert.x HTTP server standing in for subscribers: what a request carries, how each
 * answer is judged (delivered, retriable, permanent), the bounds (time, body size), redirects, and the
 * address check on every connection.
 */
class WebhookClientTest {

  private static final String VERSION = "1.2.3-test";
  private static final String BODY_MARKER = "RESPONSE-BODY-MARKER";
  private static final long TIMEOUT_MS = 5_000;

  private static Vertx vertx;
  private static HttpServer server;
  private static WebhookClient client;
  private static final Queue<Received> received = new ConcurrentLinkedQueue<>();

  private record Received(String path, MultiMap headers, byte[] body) {
  }

  private final WebhookSecret secret = WebhookSecret.generate();
  private final WebhookPayload payload = WebhookPayload.snapshot(java.util.UUID.randomUUID(), "alice", 1, "Title",
      "Body", List.of("t"), Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T10:00:00Z"));

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = await(vertx.createHttpServer().requestHandler(WebhookClientTest::answer).listen(0, "127.0.0.1"));
    client = new WebhookClient(vertx, VERSION, true);
  }

  @AfterAll
  static void stop() throws Exception {
    await(client.close());
    await(vertx.close());
  }

  @BeforeEach
  void clear() {
    received.clear();
  }

  // /status/<code>, /redirect, /target, /silent, /big, /close
  private static void answer(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      String path = request.path();
      received.add(new Received(path, MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body.getBytes()));
      if (path.startsWith("/status/")) {
        int status = Integer.parseInt(path.substring("/status/".length()));
        String retryAfter = request.getParam("retry-after");
        if (retryAfter != null) {
          request.response().putHeader("retry-after", retryAfter);
        }
        request.response().setStatusCode(status).end(BODY_MARKER);
      } else if (path.equals("/redirect")) {
        request.response().setStatusCode(301).putHeader("location", url("/target").toString()).end(BODY_MARKER);
      } else if (path.equals("/big")) {
        request.response().setStatusCode(200).end(Buffer.buffer(new byte[1024 * 1024]));
      } else if (path.equals("/close")) {
        request.connection().close();
      } else if (!path.equals("/silent")) {
        request.response().setStatusCode(200).end("thanks");
      }
    });
  }

  private static URL url(String path) {
    return DestinationPolicy.parse("http://127.0.0.1:" + server.actualPort() + path);
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private Future<DeliveryResult> deliver(String path) {
    return client.deliver(url(path), payload, List.of(secret), TIMEOUT_MS);
  }

  private static Map<String, List<String>> asMap(MultiMap headers) {
    return Map.of("webhook-id", headers.getAll("webhook-id"), "webhook-timestamp", headers.getAll("webhook-timestamp"),
        "webhook-signature", headers.getAll("webhook-signature"));
  }

  @Test
  void a2xxIsDeliveredWithTheSignedHeadersTheReferenceLibraryAccepts() throws Exception {
    long before = Instant.now().getEpochSecond();
    DeliveryResult result = await(deliver("/hooks/ok"));
    assertThat(result.status()).isEqualTo(200);
    assertThat(result.bodyBytesRead()).isEqualTo("thanks".length());

    Received request = received.poll();
    assertThat(request.path()).isEqualTo("/hooks/ok");
    assertThat(request.body()).isEqualTo(payload.body());
    MultiMap headers = request.headers();
    assertThat(headers.get("content-type")).isEqualTo("application/json");
    assertThat(headers.get("user-agent")).isEqualTo("Fanout/" + VERSION);
    assertThat(headers.get("webhook-id")).isEqualTo(payload.id());
    assertThat(Long.parseLong(headers.get("webhook-timestamp"))).isBetween(before, Instant.now().getEpochSecond());
    assertThat(headers.get("webhook-signature")).startsWith("v1,");
    assertThat(headers.contains("authorization")).isFalse();
    assertThatCode(() -> new Webhook(secret.text()).verify(new String(request.body(), StandardCharsets.UTF_8),
        asMap(headers))).doesNotThrowAnyException();
  }

  @Test
  void aSecondAttemptCarriesTheSameWebhookIdAndAFreshValidSignature() throws Exception {
    WebhookSecret previous = WebhookSecret.generate();
    assertThatThrownBy(() -> await(client.deliver(url("/status/503"), payload, List.of(secret, previous), TIMEOUT_MS)))
        .isInstanceOf(WebhookUnavailable.class);
    await(client.deliver(url("/ok"), payload, List.of(secret, previous), TIMEOUT_MS));
    List<Received> attempts = new ArrayList<>(received);
    assertThat(attempts).hasSize(2);
    assertThat(attempts).extracting(r -> r.headers().get("webhook-id")).containsOnly(payload.id());
    for (Received attempt : attempts) {
      assertThat(attempt.headers().get("webhook-signature").split(" ")).hasSize(2);
      for (WebhookSecret each : List.of(secret, previous)) {
        assertThatCode(() -> new Webhook(each.text()).verify(new String(attempt.body(), StandardCharsets.UTF_8),
            asMap(attempt.headers()))).doesNotThrowAnyException();
      }
    }
  }

  @Test
  void serverTroubleAndTooManyRequestsAreRetriableWithTheirKindAndRetryAfter() {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(30).atOffset(ZoneOffset.UTC));
    Object[][] cases = {
        {"/status/500", 500, null},
        {"/status/503?retry-after=" + date.replace(" ", "%20").replace(",", "%2C"), 503, 30L},
        {"/status/429?retry-after=7", 429, 7L},
        {"/status/429?retry-after=3600", 429, 60L},
        {"/status/408", 408, null},
        {"/status/425", 425, null},
        {"/status/502", 502, null},
    };
    for (Object[] example : cases) {
      int status = (int) example[1];
      assertThatThrownBy(() -> await(deliver((String) example[0])))
          .as((String) example[0])
          .isInstanceOf(WebhookUnavailable.class)
          .isInstanceOf(SinkUnavailable.class)
          .isNotInstanceOf(PermanentFailure.class)
          .hasMessageContaining("status " + status)
          .hasMessageNotContaining(BODY_MARKER)
          .satisfies(e -> {
            WebhookUnavailable unavailable = (WebhookUnavailable) e;
            assertThat(Failures.isTransient(e)).isTrue();
            assertThat(unavailable.kind()).isEqualTo("status " + status);
            assertThat(unavailable.status()).isEqualTo(status);
            if (example[2] == null) {
              assertThat(unavailable.retryAfter()).isEmpty();
            } else {
              assertThat(unavailable.retryAfter().orElseThrow().toSeconds())
                  .isCloseTo((Long) example[2], within(2L));
            }
          });
    }
  }

  @Test
  void otherStatusesArePermanentAndARedirectIsNeverFollowed() {
    for (int status : new int[] {404, 400, 401, 410, 301}) {
      String path = status == 301 ? "/redirect" : "/status/" + status;
      assertThatThrownBy(() -> await(deliver(path)))
          .as(path)
          .isInstanceOf(WebhookRefused.class)
          .isInstanceOf(PermanentFailure.class)
          .hasMessageContaining("status " + status)
          .hasMessageNotContaining(BODY_MARKER)
          .satisfies(e -> {
            assertThat(Failures.isPermanent(e)).isTrue();
            assertThat(((WebhookRefused) e).kind()).isEqualTo("status " + status);
            assertThat(((WebhookRefused) e).status()).isEqualTo(status);
          });
    }
    assertThat(received).extracting(Received::path).doesNotContain("/target").contains("/redirect");
  }

  @Test
  void aServerThatNeverAnswersTimesOutWithinTheBound() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> await(client.deliver(url("/silent"), payload, List.of(secret), 500)))
        .isInstanceOf(WebhookUnavailable.class)
        .satisfies(e -> assertThat(((WebhookUnavailable) e).kind()).isEqualTo("timeout"));
    long elapsed = (System.nanoTime() - start) / 1_000_000;
    assertThat(elapsed).isBetween(450L, 1_500L);
  }

  @Test
  void aClosedPortIsARefusedConnectionAndADroppedOneIsRetriableToo() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    assertThatThrownBy(() -> await(client.deliver(DestinationPolicy.parse("http://127.0.0.1:" + closed + "/"), payload,
        List.of(secret), TIMEOUT_MS)))
        .isInstanceOf(WebhookUnavailable.class)
        .hasMessageNotContaining("127.0.0.1").hasMessageNotContaining(Integer.toString(closed))
        .satisfies(e -> assertThat(((WebhookUnavailable) e).kind()).isEqualTo("connection refused"));
    assertThatThrownBy(() -> await(deliver("/close")))
        .isInstanceOf(WebhookUnavailable.class)
        .satisfies(e -> assertThat(((WebhookUnavailable) e).kind()).isIn("connection closed", "connection reset"));
  }

  @Test
  void ofAMebibyteAnswerOnly64KiBAreReadAndA2xxIsStillDelivered() throws Exception {
    DeliveryResult result = await(deliver("/big"));
    assertThat(result.status()).isEqualTo(200);
    assertThat(result.bodyBytesRead()).isEqualTo(WebhookClient.MAX_BODY_BYTES);
    // the cut connection is not reused: the next attempt gets a good one
    assertThat(await(deliver("/ok")).status()).isEqualTo(200);
  }

  @Test
  void aLoopbackPeerIsRefusedPermanentlyBeforeAnyRequestIsSent() throws Exception {
    WebhookClient strict = new WebhookClient(vertx, VERSION, false);
    try {
      for (String host : new String[] {"127.0.0.1", "localhost"}) {
        URL target = DestinationPolicy.parse("http://" + host + ":" + server.actualPort() + "/hooks/ok");
        assertThatThrownBy(() -> await(strict.deliver(target, payload, List.of(secret), TIMEOUT_MS)))
            .as(host)
            .isInstanceOf(DestinationRefused.class)
            .hasMessageContaining("destination refused")
            .hasMessageContaining("loopback")
            .satisfies(e -> {
              assertThat(Failures.isPermanent(e)).isTrue();
              assertThat(((DestinationRefused) e).kind()).isEqualTo("destination refused");
            });
      }
      assertThat(received).as("the server saw connections, never a request").isEmpty();
    } finally {
      await(strict.close());
    }
  }

  @Test
  void credentialsInTheUrlAreSentAsBasicAuthAndNeverShownInAFailure() throws Exception {
    URL withCredentials = DestinationPolicy.parse("http://hook-user:s3cr%40t@127.0.0.1:" + server.actualPort()
        + "/status/500");
    assertThatThrownBy(() -> await(client.deliver(withCredentials, payload, List.of(secret), TIMEOUT_MS)))
        .isInstanceOf(WebhookUnavailable.class)
        .hasMessage("webhook unavailable: status 500")
        .hasMessageNotContaining("s3cr")
        .hasMessageNotContaining("hook-user");
    Received request = received.poll();
    assertThat(request.headers().get("authorization"))
        .isEqualTo("Basic " + Base64.getEncoder().encodeToString("hook-user:s3cr@t".getBytes(StandardCharsets.UTF_8)));
    assertThat(request.headers().get("host")).isEqualTo("127.0.0.1:" + server.actualPort());
  }

  @Test
  void retryAfterIsSecondsOrAnHttpDateCappedAtAMinute() {
    Instant now = Instant.parse("2026-12-01T10:00:00Z");
    assertThat(WebhookClient.retryAfter("7", now)).isEqualTo(Duration.ofSeconds(7));
    assertThat(WebhookClient.retryAfter(" 0 ", now)).isEqualTo(Duration.ZERO);
    assertThat(WebhookClient.retryAfter("86400", now)).isEqualTo(Duration.ofSeconds(60));
    assertThat(WebhookClient.retryAfter("99999999999999999999", now)).isEqualTo(Duration.ofSeconds(60));
    assertThat(WebhookClient.retryAfter("Tue, 01 Dec 2026 10:00:20 GMT", now)).isEqualTo(Duration.ofSeconds(20));
    assertThat(WebhookClient.retryAfter("Tue, 01 Dec 2026 09:00:00 GMT", now)).isEqualTo(Duration.ZERO);
    assertThat(WebhookClient.retryAfter("Wed, 02 Dec 2026 10:00:00 GMT", now)).isEqualTo(Duration.ofSeconds(60));
    assertThat(WebhookClient.retryAfter("-5", now)).isNull();
    assertThat(WebhookClient.retryAfter("soon", now)).isNull();
    assertThat(WebhookClient.retryAfter(null, now)).isNull();
  }

  @Test
  void anInvalidUrlIsAPermanentRefusal() throws Exception {
    assertThatThrownBy(() -> await(client.deliver(new URL("ftp://127.0.0.1/x"), payload, List.of(secret), TIMEOUT_MS)))
        .isInstanceOf(WebhookRefused.class)
        .satisfies(e -> assertThat(((WebhookRefused) e).kind()).isEqualTo("invalid url"));
  }
}
