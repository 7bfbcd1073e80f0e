package dev.fanout.subscription;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A webhook subscriber for trying subscriptions out ({@code fanout.jar receiver}) and for tests: an HTTP server
 * that checks each request's signature with {@link WebhookSigner#verify} and tells one line per request.
 *
 * <ul>
 *   <li>a valid request: 200, {@code accepted blog.published <webhook-id> author=alice blog=<blogId> v1};</li>
 *   <li>a bad or missing signature, or a timestamp outside the tolerance: 401, {@code refused <webhook-id>: bad
 *       signature} (the reason);</li>
 *   <li>a signed body that is not a webhook payload: 400; one over {@value #MAX_BODY_BYTES} bytes: 413;</li>
 *   <li>with a fail rate, that share of valid requests at random: 503, {@code failed (simulated) ...}.</li>
 * </ul>
 *
 * Every answer waits the configured latency first. The webhook id in a line is the sender's text: it is cut
 * to {@value #MAX_ID_CHARS} printable characters so that a line stays one line. Each line goes to
 * {@code lines} from the server's event loop.
 */
public final class WebhookReceiver {

  /** The largest body the receiver reads. */
  public static final int MAX_BODY_BYTES = 1024 * 1024;
  static final int MAX_ID_CHARS = 128;

  /**
   * What a receiver is told to do.
   *
   * @param latencyMillis how long each answer waits
   * @param failRate      the share of valid requests answered 503, 0 to 1
   */
  public record Settings(String host, int port, List<WebhookSecret> secrets, long latencyMillis, double failRate) {
    public Settings {
      secrets = List.copyOf(secrets);
      if (secrets.isEmpty()) {
        throw new IllegalArgumentException("a receiver needs at least one secret");
      }
      if (latencyMillis < 0) {
        throw new IllegalArgumentException("latency must not be negative");
      }
      if (!(failRate >= 0 && failRate <= 1)) {
        throw new IllegalArgumentException("the fail rate is a share, 0 to 1");
      }
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  private final WebhookSigner verifier;
  private final Consumer<String> lines;
  // used on the server's event loop only
  private final Random random = new Random();
  private HttpServer server;

  private WebhookReceiver(Vertx vertx, Settings settings, Consumer<String> lines) {
    this.vertx = vertx;
    this.settings = settings;
    this.verifier = new WebhookSigner(settings.secrets());
    this.lines = lines;
  }

  /** Starts a receiver; the future holds it once it listens. */
  public static Future<WebhookReceiver> start(Vertx vertx, Settings settings, Consumer<String> lines) {
    WebhookReceiver receiver = new WebhookReceiver(vertx, settings, lines);
    return vertx.createHttpServer()
        .requestHandler(receiver::handle)
        .listen(settings.port(), settings.host())
        .map(server -> {
          receiver.server = server;
          return receiver;
        });
  }

  /** The port it listens on (the one picked, when started with 0). */
  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }

  private void handle(HttpServerRequest request) {
    String id = printable(request.getHeader("webhook-id"));
    Buffer body = Buffer.buffer();
    boolean[] tooBig = {false};
    request.handler(chunk -> {
      if (tooBig[0]) {
        return;
      }
      if (body.length() + chunk.length() > MAX_BODY_BYTES) {
        tooBig[0] = true;
        answer(request, 413, "refused " + id + ": body over " + MAX_BODY_BYTES + " bytes");
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (!tooBig[0]) {
        judge(request, id, body.getBytes());
      }
    });
  }

  private void judge(HttpServerRequest request, String id, byte[] body) {
    WebhookSigner.Verdict verdict = verifier.verify(request.getHeader("webhook-id"),
        request.getHeader("webhook-timestamp"), request.getHeader("webhook-signature"), body, Instant.now());
    if (verdict != WebhookSigner.Verdict.VALID) {
      answer(request, 401, "refused " + id + ": " + verdict.reason());
      return;
    }
    String event;
    try {
      JsonObject json = new JsonObject(Buffer.buffer(body));
      JsonObject data = json.getJsonObject("data", new JsonObject());
      event = printable(json.getString("type")) + " " + id + " author=" + printable(data.getString("authorId"))
          + " blog=" + printable(data.getString("blogId")) + " v" + data.getValue("version");
    } catch (DecodeException | ClassCastException e) {
      answer(request, 400, "refused " + id + ": not a webhook payload");
      return;
    }
    if (random.nextDouble() < settings.failRate()) {
      answer(request, 503, "failed (simulated) " + event);
    } else {
      answer(request, 200, "accepted " + event);
    }
  }

  private void answer(HttpServerRequest request, int status, String line) {
    Runnable send = () -> {
      lines.accept(line);
      request.response().setStatusCode(status).end();
      if (status == 413) {
        // the rest of the body is not wanted
        request.connection().close();
      }
    };
    if (settings.latencyMillis() > 0) {
      vertx.setTimer(settings.latencyMillis(), t -> send.run());
    } else {
      send.run();
    }
  }

  // the sender's text as one short line: printable ASCII, at most MAX_ID_CHARS
  private static String printable(String text) {
    if (text == null || text.isEmpty()) {
      return "-";
    }
    StringBuilder line = new StringBuilder(Math.min(text.length(), MAX_ID_CHARS));
    for (int i = 0; i < text.length() && line.length() < MAX_ID_CHARS; i++) {
      char c = text.charAt(i);
      line.append(c > ' ' && c < 127 ? c : '?');
    }
    return line.toString();
  }
}
