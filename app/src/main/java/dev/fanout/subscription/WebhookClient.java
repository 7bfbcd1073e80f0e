package dev.fanout.subscription;

import dev.fanout.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Sends webhooks: one signed POST per {@link #deliver call}, over one Vert.x {@code HttpClient} that the whole
 * app shares (its pool keeps connections per endpoint, so subscriptions do not need clients of their own).
 *
 * <p>Each attempt:
 * <ul>
 *   <li>sends {@code content-type: application/json}, {@code webhook-id} (the payload's, the same on every
 *       attempt), {@code webhook-timestamp} (this attempt's Unix seconds), {@code webhook-signature} (one
 *       signature per secret, see {@link WebhookSigner}), {@code user-agent: Fanout/<version>}, and
 *       {@code authorization: Basic ...} when the URL carries {@code user:password@};</li>
 *   <li>never follows a redirect; reads at most {@value #MAX_BODY_BYTES} bytes of the answer's body, then
 *       closes the connection; keeps none of it;</li>
 *   <li>ends within its {@code timeoutMs}, connection included;</li>
 *   <li>checks the address of the connection it got before sending anything: unless private destinations are
 *       allowed, a peer {@link DestinationPolicy#refusalOf refused} by the policy (a name that resolves to
 *       127.0.0.1 today) is closed and the attempt fails with {@link DestinationRefused}. The check runs on
 *       every attempt, so on every new connection, whatever the name resolved to before.</li>
 * </ul>
 *
 * Outcome: 2xx succeeds with a {@link DeliveryResult}; 408, 425, 429, 5xx, a timeout or a connection failure
 * fails with {@link WebhookUnavailable} (transient, with its {@code Retry-After} when given, at most
 * {@link #MAX_RETRY_AFTER}); any other status, 3xx included, with {@link WebhookRefused} (permanent). Failure
 * messages name the status or the kind of failure, never a response body, an address or a URL's credentials.
 *
 * <p>With tracing on, each attempt is a CLIENT span, a child of the span current when {@link #deliver} is
 * called (the event's, in a subscription's group), and sends its W3C {@code traceparent} (and
 * {@code tracestate}) so that the receiver can continue the trace. With tracing off no span is made and no
 * trace header is sent.
 *
 * <p>Thread-safe: each attempt runs on one Vert.x context, the caller's or a new one.
 */
public final class WebhookClient {

  /** The most of a response body an attempt reads. */
  public static final int MAX_BODY_BYTES = 64 * 1024;
  /** The longest {@code Retry-After} taken from an endpoint. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final DestinationPolicy policy;
  private final String userAgent;
  private final Tracing tracing;

  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final TextMapSetter<RequestOptions> HEADERS = (options, name, value) -> options.putHeader(name, value);

  /**
   * @param version      goes into {@code user-agent: Fanout/<version>}
   * @param allowPrivate true lets webhooks reach loopback and private addresses (tests, a private network)
   */
  public WebhookClient(Vertx vertx, String version, boolean allowPrivate) {
    this(vertx, version, allowPrivate, Tracing.off());
  }

  /** As above, each attempt a client span of {@code tracing} when it is on. */
  public WebhookClient(Vertx vertx, String version, boolean allowPrivate, Tracing tracing) {
    this.vertx = vertx;
    this.tracing = tracing;
    this.policy = new DestinationPolicy(vertx, allowPrivate);
    this.userAgent = "Fanout/" + version;
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions()
            .setName("fanout-webhooks")
            .setKeepAlive(true)
            // a compressed answer is read as it came: the body bound counts bytes on the wire
            .setDecompressionSupported(false))
        // a subscription keeps up to maxInFlight (at most 1,000) deliveries open to its endpoint at once: each
        // needs its own HTTP/1.1 connection (Vert.x's default pool of 5 per endpoint capped a 100 ms endpoint
        // at 50 deliveries/s)
        .with(new PoolOptions().setHttp1MaxSize(NewSubscription.MAX_IN_FLIGHT).setMaxWaitQueueSize(-1))
        .build();
  }

  /** The rules this client checks every connection against. */
  public DestinationPolicy policy() {
    return policy;
  }

  /**
   * One attempt to deliver {@code payload} to {@code url}, signed with each of {@code secrets}.
   *
   * @param secrets   at least one; the first is the current one, a second the one a rotation replaces
   * @param timeoutMs the bound of the whole attempt, connection included; at least 1
   * @throws IllegalArgumentException when there is no secret or the bound is below 1 (a caller's mistake)
   * @return a future that succeeds with a {@link DeliveryResult} or fails with {@link WebhookUnavailable}
   *         (retriable) or {@link WebhookRefused} (permanent: a status, {@link DestinationRefused}, an invalid URL)
   */
  public Future<DeliveryResult> deliver(URL url, WebhookPayload payload, List<WebhookSecret> secrets, long timeoutMs) {
    return deliver(url, payload, secrets, timeoutMs, io.opentelemetry.context.Context.current());
  }

  /**
   * As {@link #deliver(URL, WebhookPayload, List, long)}, the attempt's span a child of {@code parent} (the
   * event's span, taken when the sink was called: by the time a delivery starts it may no longer be current).
   */
  public Future<DeliveryResult> deliver(URL url, WebhookPayload payload, List<WebhookSecret> secrets, long timeoutMs,
                                        io.opentelemetry.context.Context parent) {
    if (timeoutMs < 1) {
      throw new IllegalArgumentException("timeoutMs must be at least 1");
    }
    WebhookSigner signer = new WebhookSigner(secrets);
    RequestOptions options;
    URL checked;
    try {
      checked = DestinationPolicy.checkSyntax(url);
      options = request(checked, payload, signer, timeoutMs);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new WebhookRefused("invalid url", 0, "webhook refused: invalid url: " + e.getMessage()));
    }
    Span span = tracing.on() ? clientSpan(checked, options, parent) : null;
    Context context = vertx.getOrCreateContext();
    Attempt attempt = new Attempt(options, Buffer.buffer(payload.bytes()), timeoutMs);
    context.runOnContext(v -> attempt.start());
    Future<DeliveryResult> result = attempt.result.future();
    return span == null ? result : result.onComplete(ar -> ended(span, ar.succeeded() ? ar.result() : null, ar.cause()));
  }

  // The attempt's span, its context put into the request's headers.
  private Span clientSpan(URL url, RequestOptions options, io.opentelemetry.context.Context parent) {
    int port = url.getPort() == -1 ? url.getDefaultPort() : url.getPort();
    Span span = tracing.tracer().spanBuilder("POST")
        .setParent(parent)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(METHOD, "POST")
        .setAttribute(URL_FULL, fullUrl(url, port))
        .setAttribute(SERVER_ADDRESS, url.getHost())
        .setAttribute(SERVER_PORT, (long) port)
        .startSpan();
    tracing.openTelemetry().getPropagators().getTextMapPropagator().inject(parent.with(span), options, HEADERS);
    return span;
  }

  /**
   * The URL as a span shows it: scheme, host, port and path, without the credentials ({@code user:password@})
   * and without the query (it may carry a token).
   */
  static String fullUrl(URL url, int port) {
    String path = url.getPath() == null || url.getPath().isEmpty() ? "/" : url.getPath();
    return url.getProtocol() + "://" + url.getHost() + ":" + port + path;
  }

  private static void ended(Span span, DeliveryResult delivered, Throwable failure) {
    if (delivered != null) {
      span.setAttribute(STATUS_CODE, (long) delivered.status());
    } else {
      int status = failure instanceof WebhookRefused r ? r.status()
          : failure instanceof WebhookUnavailable u ? u.status() : 0;
      if (status > 0) {
        span.setAttribute(STATUS_CODE, (long) status);
      }
      // a status, or a kind of failure: never a message, which could name an address
      String kind = status > 0 ? Integer.toString(status) : WebhookSink.kindOf(failure);
      span.setAttribute(ERROR_TYPE, kind);
      span.setStatus(StatusCode.ERROR, kind);
    }
    span.end();
  }

  /** Closes the connections; attempts under way fail. */
  public Future<Void> close() {
    return client.close();
  }

  private RequestOptions request(URL url, WebhookPayload payload, WebhookSigner signer, long timeoutMs) {
    long timestamp = Instant.now().getEpochSecond();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .setFollowRedirects(false)
        .setConnectTimeout(timeoutMs)
        .putHeader("content-type", "application/json")
        .putHeader("webhook-id", payload.id())
        .putHeader("webhook-timestamp", Long.toString(timestamp))
        .putHeader("webhook-signature", signer.sign(payload.id(), timestamp, payload.bytes()))
        .putHeader("user-agent", userAgent);
    if (url.getUserInfo() != null) {
      options.putHeader("authorization", "Basic " + Base64.getEncoder()
          .encodeToString(userInfo(url).getBytes(StandardCharsets.UTF_8)));
    }
    return options;
  }

  // user:password as written, percent-escapes decoded
  private static String userInfo(URL url) {
    try {
      return url.toURI().getUserInfo();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("a webhook url must be a valid URL");
    }
  }

  /** One attempt's state. Everything runs on the context {@link #deliver} picked, so nothing here is shared. */
  private final class Attempt {
    final Promise<DeliveryResult> result = Promise.promise();
    private final RequestOptions options;
    private final Buffer body;
    private final long timeoutMs;
    private final long start = System.nanoTime();
    // accessed on the attempt's context only
    private long timer = -1;
    private HttpClientRequest request;
    private int status;
    private Duration retryAfter;
    private int read;

    Attempt(RequestOptions options, Buffer body, long timeoutMs) {
      this.options = options;
      this.body = body;
      this.timeoutMs = timeoutMs;
    }

    void start() {
      timer = vertx.setTimer(timeoutMs, id -> {
        timer = -1;
        if (status == 0) {
          abort(new WebhookUnavailable(WebhookUnavailable.TIMEOUT, 0, null));
        } else {
          // answered, but the body dragged on: the status decides, the rest is not waited for
          finish();
          request.reset();
        }
      });
      client.request(options).onComplete(opened -> {
        if (opened.failed()) {
          abort(classify(opened.cause()));
          return;
        }
        request = opened.result();
        if (done()) {
          // timed out while connecting: give the connection back broken, never half used
          request.reset();
          return;
        }
        Optional<String> refusal = peerRefusal(request.connection());
        if (refusal.isPresent()) {
          // nothing was written yet: the peer saw a connection, never a request
          request.connection().close();
          abort(new DestinationRefused(refusal.get(), null));
          return;
        }
        request.send(body).onComplete(answered -> {
          if (answered.failed()) {
            abort(classify(answered.cause()));
          } else {
            read(answered.result());
          }
        });
      });
    }

    private void read(HttpClientResponse response) {
      status = response.statusCode();
      retryAfter = retryAfter(response.getHeader("retry-after"), Instant.now());
      response.handler(chunk -> {
        if (done()) {
          return;
        }
        if (chunk.length() <= MAX_BODY_BYTES - read) {
          read += chunk.length();
          return;
        }
        // enough: the rest of the body is never looked at, and its connection is closed, not reused
        read = MAX_BODY_BYTES;
        finish();
        request.reset();
      });
      response.exceptionHandler(e -> finish());
      response.endHandler(v -> finish());
    }

    // the answer's status decides, whatever happened to the body after it
    private void finish() {
      if (done()) {
        return;
      }
      cancelTimer();
      if (status >= 200 && status < 300) {
        result.tryComplete(new DeliveryResult(status, (System.nanoTime() - start) / 1_000_000, read));
      } else if (retriable(status)) {
        result.tryFail(new WebhookUnavailable("status " + status, status, retryAfter));
      } else {
        result.tryFail(WebhookRefused.status(status));
      }
    }

    private void abort(Throwable failure) {
      if (done()) {
        return;
      }
      cancelTimer();
      result.tryFail(failure);
      if (request != null) {
        request.reset();
      }
    }

    private boolean done() {
      return result.future().isComplete();
    }

    private void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  private Optional<String> peerRefusal(HttpConnection connection) {
    if (policy.allowPrivate()) {
      return Optional.empty();
    }
    SocketAddress peer = connection.remoteAddress();
    if (peer == null || !peer.isInetSocket() || peer.hostAddress() == null) {
      return Optional.of("not an IP address");
    }
    try {
      // a literal address: parsed, never looked up
      return DestinationPolicy.refusalOf(InetAddress.getByName(peer.hostAddress()));
    } catch (UnknownHostException e) {
      return Optional.of("not an IP address");
    }
  }

  /** Whether an answer with this status may be retried: 408, 425, 429 and every 5xx. */
  static boolean retriable(int status) {
    return status == 408 || status == 425 || status == 429 || (status >= 500 && status < 600);
  }

  /**
   * A {@code Retry-After} value (seconds, or an HTTP date) as a wait from {@code now}, between 0 and
   * {@link #MAX_RETRY_AFTER}; null when absent or unreadable.
   */
  static Duration retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String text = value.trim();
    Duration wait;
    if (text.chars().allMatch(Character::isDigit)) {
      // more digits than a long holds is still "a long time"
      wait = text.length() > 9 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(text));
    } else {
      try {
        wait = Duration.between(now, ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    if (wait.isNegative()) {
      return Duration.ZERO;
    }
    return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
  }

  /** What a failure without an answer was, as a retriable kind; its text (addresses, hosts) is dropped. */
  static Throwable classify(Throwable failure) {
    if (failure instanceof WebhookRefused || failure instanceof WebhookUnavailable) {
      return failure;
    }
    String kind = WebhookUnavailable.CONNECTION_FAILED;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (t instanceof UnknownHostException) {
        kind = WebhookUnavailable.DNS;
      } else if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException
          || (t instanceof ConnectException && message.contains("timed out"))) {
        kind = WebhookUnavailable.TIMEOUT;
      } else if (t instanceof ConnectException && message.contains("refused")) {
        kind = WebhookUnavailable.CONNECTION_REFUSED;
      } else if (t instanceof NoRouteToHostException || t instanceof ConnectException) {
        kind = WebhookUnavailable.CONNECTION_FAILED;
      } else if (t instanceof SSLException) {
        kind = WebhookUnavailable.TLS;
      } else if (t instanceof StreamResetException || message.contains("connection reset")) {
        kind = WebhookUnavailable.CONNECTION_RESET;
      } else if (t instanceof HttpClosedException || message.contains("closed")) {
        kind = WebhookUnavailable.CONNECTION_CLOSED;
      } else {
        continue;
      }
      break;
    }
    return new WebhookUnavailable(kind, 0, null);
  }
}
