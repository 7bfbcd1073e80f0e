package dev.fanout.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * A light open-model publish generator: publish {@code i} is due at {@code start + i / rate} and is sent at its
 * due time whether or not earlier ones have answered; every latency is measured from the due time, so time a
 * publish waits in the client (for a connection, behind a stalled event loop) counts, and a slow server
 * cannot slow the schedule down (no coordinated omission).
 *
 * <p>One Vert.x event loop does everything: on a tick every {@code --tick-us} (1,000 µs, from a clock thread) it
 * sends whatever is due and makes the polls whose time has come, over a pool of
 * {@code --connections} kept-alive HTTP/1.1 connections; bodies (~1,300 characters, like capacity.sh's, from
 * {@code --authors} Zipf-like authors author-1.., each with its token, minted before the run or read from
 * {@code --tokens-file}, lib.sh's "authorId token" lines) are pre-encoded bytes
 * with only the title's sequence number written per request. At most {@code --inflight-limit} publishes are
 * unanswered at once: a publish due when the limit is reached is not sent but counted
 * ({@code inflight_limit_hit}; the run is then invalid), never waited for.
 *
 * <p>Probes: every {@code rate / --probes-per-second}-th publish has an author of its own; once it is accepted,
 * {@code GET /api/authors/{id}} (until {@code blogCount >= 1}) and {@code GET /api/search?q=<its title word>}
 * (until {@code total >= 1}) are polled every {@code --poll-ms} (past 100 ms, every tenth of the time waited,
 * so that a server falling behind draws a bounded number of polls), on 16 connections of their own, until 10 s
 * after its due time (then counted as a timeout): publish-to-counted and publish-to-searchable from the due
 * time.
 *
 * <p>With {@code --receiver-port}, a server in this process on 127.0.0.1 answers every webhook 204 at once,
 * and one subscription to it is created through the admin API before the warm-up (deleted at the end). Each
 * delivery is matched to its publish by the sequence number in the title: publish-to-delivered from the due
 * time, duplicates, and after a drain of at most {@code --drain} seconds, the accepted publishes never
 * delivered ({@code missing}).
 *
 * <p>The first {@code --warmup} seconds run the same schedule unmeasured; then {@code --duration} seconds are
 * measured. Over exactly that window a thread of its own (never the event loop) reads from {@code /proc}
 * this process's CPU ({@code generator_cpu_cores}), and, when given, the app's ({@code --app-pid}) and the
 * embedded PostgreSQL's ({@code --pg-dir}, its data directory). Output: one {@code key=value} line per figure.
 * Bounded: warm-up + duration of publishing, then at most 30 s for answers and probes and {@code --drain} for
 * deliveries. It talks only to loopback addresses.
 */
public final class PacedClient {

  private static final int PROBE_GIVE_UP_MS = 10_000;
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  private final PacedSettings settings;
  private final Vertx vertx;
  private final Context loop;
  private final HttpClient publishes;
  private final HttpClient reads;
  private final String run = Long.toString(System.currentTimeMillis() / 1000 % 1_000_000);
  private final String marker = "\"title\":\"w" + run + "q";
  private final long total;
  private final long firstMeasured;
  private final long probeEvery;
  private final PublishBodies bodies;
  private long start;

  private final Handler<Void> tick = v -> tick();
  private volatile boolean stopped;

  // accessed on the event loop only
  private final PriorityQueue<Poll> polls = new PriorityQueue<>(Comparator.comparingLong(Poll::at));
  private long next;
  private int inFlight;
  private long limitHits;
  private long refused;
  private long errors;
  private long sentMeasured;
  private long acceptedMeasured;
  private long probesPending;
  private long probesMeasured;
  private long pollsMeasured;
  private long countedTimeouts;
  private long searchableTimeouts;
  private long deliveries;
  private long duplicates;
  private long strayDeliveries;
  private final byte[] accepted;   // 1 when the publish answered 201
  private final byte[] delivered;  // deliveries seen per publish (saturating)
  private final Histogram http = new Histogram(3);
  private final Histogram counted = new Histogram(3);
  private final Histogram searchable = new Histogram(3);
  private final Histogram toDelivered = new Histogram(3);

  private PacedClient(PacedSettings settings) throws Exception {
    this.settings = settings;
    this.total = Math.round(settings.rate() * (settings.warmup() + settings.duration()));
    this.firstMeasured = Math.round(settings.rate() * settings.warmup());
    this.probeEvery = Math.max(1, Math.round(settings.rate() / settings.probesPerSecond()));
    this.accepted = new byte[(int) total];
    this.delivered = new byte[settings.receiverPort() > 0 ? (int) total : 0];
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1));
    this.loop = vertx.getOrCreateContext();
    URI base = URI.create(settings.url());
    HttpClientOptions options = new HttpClientOptions().setDefaultHost(base.getHost()).setDefaultPort(base.getPort())
        .setKeepAlive(true).setPipelining(false);
    this.publishes = vertx.httpClientBuilder().with(options)
        .with(new PoolOptions().setHttp1MaxSize(settings.connections())).build();
    this.reads = vertx.httpClientBuilder().with(new HttpClientOptions(options))
        .with(new PoolOptions().setHttp1MaxSize(16)).build();
    this.bodies = new PublishBodies(settings.authors(), run);
  }

  public static void main(String[] args) throws Exception {
    PacedSettings settings = PacedSettings.parse(args);
    PacedClient client = new PacedClient(settings);
    try {
      client.run();
    } finally {
      client.vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private void run() throws Exception {
    Map<String, String> given = new HashMap<>();
    if (!settings.tokensFile().isEmpty()) {
      for (String line : Files.readAllLines(Path.of(settings.tokensFile()))) {
        String[] idAndToken = line.trim().split(" ");
        if (idAndToken.length == 2) {
          given.put(idAndToken[0], idAndToken[1]);
        }
      }
    }
    List<String> authors = new ArrayList<>();
    for (String author : bodies.authorIds()) {
      if (!given.containsKey(author)) {
        authors.add(author);
      }
    }
    for (long i = 0; i < total; i += probeEvery) {
      authors.add(probeAuthor(i));
    }
    long minting = System.nanoTime();
    Map<String, String> tokens = await(mint(authors));
    System.out.printf("minted_tokens=%d in_s=%.1f tokens_from_file=%d%n", tokens.size(),
        (System.nanoTime() - minting) / 1e9, given.size());
    tokens.putAll(given);
    bodies.useTokens(tokens);

    String subscription = null;
    if (settings.receiverPort() > 0) {
      HttpServer receiver = vertx.createHttpServer().requestHandler(request -> request.body().onComplete(body -> {
        request.response().setStatusCode(204).end();
        if (body.succeeded()) {
          delivered(body.result(), System.nanoTime());
        }
      }));
      await(receiver.listen(settings.receiverPort(), "127.0.0.1"));
      subscription = "paced-" + run;
      String created = await(call(HttpMethod.POST, "/api/admin/subscriptions", "{\"name\":\"" + subscription
          + "\",\"url\":\"http://127.0.0.1:" + settings.receiverPort() + "/hooks\"}", 201));
      System.out.printf("subscription=%s created=%s%n", subscription, created.contains("\"secret\""));
    }

    // the CPU meter: its own thread, so that reading /proc never holds the event loop
    start = System.nanoTime() + 100_000_000L;
    long windowStart = start + settings.warmup() * 1_000_000_000L;
    long windowEnd = windowStart + settings.duration() * 1_000_000_000L;
    CompletableFuture<double[]> cpu = CompletableFuture.supplyAsync(() -> {
      sleepUntil(windowStart);
      double[] before = {ProcCpu.self(), ProcCpu.process(settings.appPid()), ProcCpu.postgres(settings.pgDir())};
      sleepUntil(windowEnd);
      double[] after = {ProcCpu.self(), ProcCpu.process(settings.appPid()), ProcCpu.postgres(settings.pgDir())};
      return new double[] {after[0] - before[0], after[1] - before[1], after[2] - before[2]};
    });
    // The clock: a thread of its own parks until each tick's deadline (to the microsecond, where a Vert.x timer
    // on the NIO loop has millisecond steps) and hands the event loop the tick. Ticks are what an idle run
    // costs: at 1 ms about 0.08 core on the 2-core test VM, at 5 ms about 0.03 (a 1 ms Vert.x periodic timer
    // cost the same as this clock); a coarser --tick-us trades that for up to one tick of lateness, which
    // counts in every latency since latencies run from the due time.
    Thread clock = new Thread(() -> {
      for (long at = start; !stopped; at += settings.tickMicros() * 1000L) {
        sleepUntil(at);
        loop.runOnContext(tick);
      }
    }, "paced-clock");
    clock.setDaemon(true);
    clock.start();
    waitFor(() -> next == total, settings.warmup() + settings.duration() + 60);
    double[] used = cpu.get(60, TimeUnit.SECONDS);

    // answers and probes: bounded
    waitFor(() -> inFlight == 0 && probesPending == 0, 30);
    if (subscription != null) {
      long drainStarted = System.nanoTime();
      waitFor(() -> missing() == 0, settings.drain());
      System.out.printf("deliveries_drained_in_s=%.1f%n", (System.nanoTime() - drainStarted) / 1e9);
      await(call(HttpMethod.DELETE, "/api/admin/subscriptions/" + subscription, null, 200));
    }
    stopped = true;
    report(used);
  }

  /** Sends every publish whose due time has come and makes every poll whose time has come; on the event loop. */
  private void tick() {
    long now = System.nanoTime();
    while (next < total && due(next) <= now) {
      publish(next++);
    }
    while (!polls.isEmpty() && polls.peek().at <= now) {
      polls.poll().attempt.run();
    }
  }

  private long due(long i) {
    return start + (long) (i * 1e9 / settings.rate());
  }

  private void publish(long i) {
    if (inFlight >= settings.inflightLimit()) {
      limitHits++;
      return;
    }
    inFlight++;
    if (i >= firstMeasured) {
      sentMeasured++;
    }
    boolean probe = i % probeEvery == 0;
    PublishBodies.Publish publish = probe ? bodies.probe(probeAuthor(i), i) : bodies.next(i);
    publishes.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/api/blogs"))
        .compose(request -> request.putHeader(HttpHeaders.CONTENT_TYPE, JSON)
            .putHeader(HttpHeaders.AUTHORIZATION, publish.authorization()).send(publish.body()))
        .compose(response -> response.end().map(v -> response.statusCode()))
        .onComplete(answer -> {
          inFlight--;
          long latency = System.nanoTime() - due(i);
          if (i >= firstMeasured) {
            http.recordValue(latency / 1000);
            if (answer.failed()) {
              errors++;
            } else if (answer.result() != 201) {
              refused++;
            } else {
              acceptedMeasured++;
            }
          }
          if (answer.succeeded() && answer.result() == 201) {
            accepted[(int) i] = 1;
            if (probe) {
              probe(i);
            }
          }
        });
  }

  /**
   * Polls for probe {@code i} once its publish is accepted: never before (a blog is neither counted nor
   * searchable before its publish commits), so that a server falling behind does not draw ever more polls.
   */
  private void probe(long i) {
    if (i >= firstMeasured) {
      probesMeasured++;
    }
    poll("/api/search?q=w" + run + "q" + i, "\"total\":", i, searchable);
    poll("/api/authors/" + probeAuthor(i), "\"blogCount\":", i, counted);
  }

  /**
   * Polls {@code uri} every {@code --poll-ms} (or a tenth of the time since the due time, when longer) until the
   * number after {@code key} is at least 1, or 10 s from publish {@code i}'s due time; the latency is from that
   * due time.
   */
  private void poll(String uri, String key, long i, Histogram into) {
    probesPending++;
    long due = due(i);
    Runnable[] attempt = new Runnable[1];
    attempt[0] = () -> {
      if (i >= firstMeasured) {
        pollsMeasured++;
      }
      reads.request(HttpMethod.GET, uri)
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> response.statusCode() == 200 && atLeastOne(body, key)))
          .onComplete(found -> {
            long now = System.nanoTime();
            if (found.succeeded() && found.result()) {
              probesPending--;
              if (i >= firstMeasured) {
                into.recordValue((now - due) / 1000);
              }
            } else if (now - due > PROBE_GIVE_UP_MS * 1_000_000L) {
              probesPending--;
              if (i >= firstMeasured && into == counted) {
                countedTimeouts++;
              } else if (i >= firstMeasured) {
                searchableTimeouts++;
              }
            } else {
              // every --poll-ms, but no more often than a tenth of the time waited so far: a server falling
              // behind then draws a bounded number of polls per probe, and the figure stays within 10%
              long wait = Math.max(settings.pollMillis() * 1_000_000L, (now - due) / 10);
              polls.add(new Poll(now + wait, attempt[0]));
            }
          });
    };
    attempt[0].run();
  }

  private static boolean atLeastOne(Buffer body, String key) {
    String json = body.toString(StandardCharsets.ISO_8859_1);
    int at = json.indexOf(key);
    if (at < 0) {
      return false;
    }
    char first = json.charAt(at + key.length());
    return first >= '1' && first <= '9';
  }

  /** A webhook delivery: its publish found by the sequence number in the title; on the event loop. */
  private void delivered(Buffer body, long now) {
    String json = body.toString(StandardCharsets.ISO_8859_1);
    int at = json.indexOf(marker);
    long i = -1;
    if (at >= 0) {
      i = 0;
      for (int c = at + marker.length(); c < json.length() && Character.isDigit(json.charAt(c)); c++) {
        i = i * 10 + json.charAt(c) - '0';
      }
    }
    if (i < 0 || i >= total) {
      strayDeliveries++;
      return;
    }
    deliveries++;
    if (delivered[(int) i] > 0) {
      duplicates++;
    } else if (i >= firstMeasured) {
      toDelivered.recordValue((now - due(i)) / 1000);
    }
    if (delivered[(int) i] < Byte.MAX_VALUE) {
      delivered[(int) i]++;
    }
  }

  private long missing() {
    long missing = 0;
    for (int i = 0; i < total; i++) {
      if (accepted[i] == 1 && delivered[i] == 0) {
        missing++;
      }
    }
    return missing;
  }

  private String probeAuthor(long i) {
    return "probe-" + run + "-" + i;
  }

  private void report(double[] used) throws Exception {
    String out = await(onLoop(() -> {
      StringBuilder s = new StringBuilder();
      line(s, "rate_target", "%.0f", settings.rate());
      line(s, "rate_achieved", "%.0f", sentMeasured / (double) settings.duration());
      line(s, "publishes_measured", "%d", sentMeasured);
      line(s, "accepted", "%d", acceptedMeasured);
      line(s, "refused", "%d", refused);
      line(s, "errors", "%d", errors);
      line(s, "inflight_limit", "%d", settings.inflightLimit());
      line(s, "inflight_limit_hit", "%d", limitHits);
      percentiles(s, "http", http);
      percentiles(s, "counted", counted);
      percentiles(s, "searchable", searchable);
      line(s, "probes", "%d", probesMeasured);
      // the probes' reads are load too: polls per second against publishes per second
      line(s, "polls_per_s", "%.0f", pollsMeasured / (double) settings.duration());
      line(s, "counted_timeouts", "%d", countedTimeouts);
      line(s, "searchable_timeouts", "%d", searchableTimeouts);
      if (settings.receiverPort() > 0) {
        percentiles(s, "delivered", toDelivered);
        line(s, "deliveries", "%d", deliveries);
        line(s, "duplicates", "%d", duplicates);
        line(s, "stray_deliveries", "%d", strayDeliveries);
        line(s, "missing", "%d", missing());
      }
      line(s, "generator_cpu_cores", "%.3f", used[0] / settings.duration());
      if (settings.appPid() > 0) {
        line(s, "app_cpu_cores", "%.2f", used[1] / settings.duration());
        line(s, "app_us_per_publish", "%.0f", used[1] * 1e6 / acceptedMeasured);
      }
      if (!Double.isNaN(used[2])) {
        line(s, "pg_cpu_cores", "%.2f", used[2] / settings.duration());
        line(s, "pg_us_per_publish", "%.0f", used[2] * 1e6 / acceptedMeasured);
      }
      return s.toString();
    }));
    System.out.print(out);
  }

  private static void line(StringBuilder s, String key, String format, Object value) {
    s.append(key).append('=').append(String.format(format, value)).append('\n');
  }

  private static void percentiles(StringBuilder s, String name, Histogram h) {
    line(s, name + "_count", "%d", h.getTotalCount());
    line(s, name + "_p50_ms", "%.1f", h.getValueAtPercentile(50) / 1e3);
    line(s, name + "_p99_ms", "%.1f", h.getValueAtPercentile(99) / 1e3);
    line(s, name + "_max_ms", "%.1f", h.getMaxValue() / 1e3);
  }

  /** Tokens for {@code authors}, 16 minting requests in flight; fails on the first answer that is not 201. */
  private Future<Map<String, String>> mint(List<String> authors) {
    Promise<Map<String, String>> done = Promise.promise();
    Map<String, String> tokens = new HashMap<>(); // accessed on the event loop
    if (authors.isEmpty()) {
      return Future.succeededFuture(tokens);
    }
    int[] cursor = {0};
    Runnable[] more = new Runnable[1];
    more[0] = () -> {
      if (done.future().isComplete()) {
        return;
      }
      if (tokens.size() == authors.size()) {
        done.complete(tokens);
        return;
      }
      if (cursor[0] == authors.size()) {
        return;
      }
      String author = authors.get(cursor[0]++);
      call(HttpMethod.POST, "/api/admin/authors/" + author + "/tokens", "{\"ttlSeconds\":86400}", 201)
          .onSuccess(answer -> {
            int at = answer.indexOf("\"token\":\"");
            tokens.put(author, answer.substring(at + 9, answer.indexOf('"', at + 9)));
            more[0].run();
          })
          .onFailure(done::tryFail);
    };
    loop.runOnContext(v -> {
      for (int k = 0; k < 16; k++) {
        more[0].run();
      }
    });
    return done.future();
  }

  /** An admin call on the reads' connections; fails unless it answers {@code expected}. */
  private Future<String> call(HttpMethod method, String uri, String body, int expected) {
    return reads.request(method, uri)
        .compose(request -> {
          request.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + settings.adminToken());
          if (body == null) {
            return request.send();
          }
          return request.putHeader(HttpHeaders.CONTENT_TYPE, JSON).send(body);
        })
        .compose(response -> response.body().compose(answer -> response.statusCode() == expected
            ? Future.succeededFuture(answer.toString())
            : Future.failedFuture(method + " " + uri + " answered " + response.statusCode() + " " + answer)));
  }

  private <T> Future<T> onLoop(Supplier<T> read) {
    Promise<T> promise = Promise.promise();
    loop.runOnContext(v -> promise.complete(read.get()));
    return promise.future();
  }

  /** Waits (on the main thread) until {@code check}, run on the event loop, holds, or {@code seconds} pass. */
  private void waitFor(Supplier<Boolean> check, long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!await(onLoop(check)) && System.nanoTime() < deadline) {
      Thread.sleep(100); // the main thread, never the event loop
    }
  }

  private static void sleepUntil(long nanoTime) {
    for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
      LockSupport.parkNanos(wait);
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /** A probe's next poll, made by the first tick at or after {@code at} (System.nanoTime). */
  private record Poll(long at, Runnable attempt) {
  }
}
