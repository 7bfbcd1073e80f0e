package dev.fanout.subscription;

import com.standardwebhooks.Webhook;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real webhook receiver for tests: a Vert.x HTTP server on 127.0.0.1 that checks every request's signature
 * with the Standard Webhooks reference library (not our code), records what came, and answers as the test
 * says (a status, after a delay).
 */
final class TestReceiver implements AutoCloseable {

  /** One request as it arrived. */
  record Delivery(String id, String timestamp, String signature, String userAgent, JsonObject body,
                  boolean verified, int answered) {

    String type() {
      return body.getString("type");
    }

    JsonObject data() {
      return body.getJsonObject("data");
    }

    String author() {
      return data().getString("authorId");
    }

    String blogId() {
      return data().getString("blogId");
    }

    int version() {
      return data().getInteger("version");
    }

    boolean accepted() {
      return answered >= 200 && answered < 300;
    }
  }

  /** How to answer one request: a status after a delay. */
  record Answer(int status, long delayMillis, Map<String, String> headers) {
    static Answer ok() {
      return new Answer(204, 0, Map.of());
    }

    static Answer of(int status) {
      return new Answer(status, 0, Map.of());
    }

    static Answer after(long delayMillis) {
      return new Answer(204, delayMillis, Map.of());
    }
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private volatile String secret;
  private volatile Function<Delivery, Answer> answers = d -> Answer.ok();

  private TestReceiver(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  static TestReceiver start(Vertx vertx) throws Exception {
    TestReceiver[] self = new TestReceiver[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> self[0].handle(request));
    self[0] = new TestReceiver(vertx, server);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return self[0];
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hooks";
  }

  /**
   * The secret signatures are checked with (the one the create answer gave). Without one (null), every request
   * is answered 503, which the sender retries: a subscription that starts delivering before its create answer
   * reached the test is not refused.
   */
  TestReceiver secret(String value) {
    this.secret = value;
    return this;
  }

  /** How every request from now on is answered (decided once it was read and verified). */
  TestReceiver answering(Function<Delivery, Answer> value) {
    this.answers = value;
    return this;
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(buffer -> {
      String body = buffer.toString();
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      request.headers().forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue()));
      boolean verified = verifies(body, headers);
      Delivery seen = new Delivery(request.getHeader("webhook-id"), request.getHeader("webhook-timestamp"),
          request.getHeader("webhook-signature"), request.getHeader("user-agent"), new JsonObject(body), verified, 0);
      Answer answer = secret == null ? Answer.of(503) : verified ? answers.apply(seen) : Answer.of(401);
      int now = inFlight.incrementAndGet();
      mostInFlight.accumulateAndGet(now, Math::max);
      Future<Void> waited = answer.delayMillis() <= 0 ? Future.succeededFuture() : delay(answer.delayMillis());
      waited.onComplete(ar -> {
        inFlight.decrementAndGet();
        deliveries.add(new Delivery(seen.id(), seen.timestamp(), seen.signature(), seen.userAgent(), seen.body(),
            verified, answer.status()));
        answer.headers().forEach((k, v) -> request.response().putHeader(k, v));
        request.response().setStatusCode(answer.status()).end();
      });
    });
  }

  private boolean verifies(String body, Map<String, List<String>> headers) {
    if (secret == null) {
      return false;
    }
    try {
      new Webhook(secret).verify(body, headers);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private Future<Void> delay(long millis) {
    Promise<Void> done = Promise.promise();
    vertx.setTimer(millis, id -> done.complete());
    return done.future();
  }

  /** Every request answered so far, in the order they were answered. */
  List<Delivery> all() {
    return List.copyOf(deliveries);
  }

  /** The requests answered 2xx, in the order they were answered. */
  List<Delivery> accepted() {
    return deliveries.stream().filter(Delivery::accepted).toList();
  }

  /** The requests this receiver holds now (read, not answered yet). */
  int inFlight() {
    return inFlight.get();
  }

  /** The most requests this receiver held at once. */
  int mostInFlight() {
    return mostInFlight.get();
  }

  void clear() {
    deliveries.clear();
    mostInFlight.set(0);
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
