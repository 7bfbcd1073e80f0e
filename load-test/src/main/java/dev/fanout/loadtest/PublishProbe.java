package dev.fanout.loadtest;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Publish-to-searchable and publish-to-counted latency of a running Fanout, measured from outside: it
 * publishes at a steady rate and, for every {@code probe.every}-th publish (which gets an author and a
 * title word of its own), polls the search API and the author count from the moment the publish was
 * acknowledged until the blog is found and counted.
 *
 * <p>The probes' polling is load too: with the defaults (one probe in 50 publishes, a poll every 10 ms)
 * it stays around a hundred requests/s at 200 publishes/s, so it does not slow what it measures.
 *
 * <p>The first {@code probe.warmup} seconds (10) publish the same blogs at the same rate, and make a search
 * and an author read for every {@code probe.every}-th, without measuring.
 *
 * <p>Writes need author tokens: before the warm-up it mints one for every author it will publish as
 * (warmup-0..99, load-0..999 and each probe's own author) through {@code POST
 * /api/admin/authors/{authorId}/tokens} with the app's admin token, {@code probe.admin-token}, and sends
 * every publish with its author's {@code Authorization: Bearer} token. An app from before author tokens
 * answers the minting with 404: the probe then publishes without tokens (such an app takes any write) and
 * says so; any other minting failure stops it.
 *
 * <p>Bounded: {@code probe.warmup} plus {@code probe.seconds} of publishing, at most {@code probe.inflight} requests in flight,
 * each probe gives up after 10 s (counted as a timeout). Talks only to {@code probe.url} (loopback).
 */
public final class PublishProbe {

  public static void main(String[] args) throws Exception {
    String base = System.getProperty("probe.url", "http://127.0.0.1:8080");
    int rate = Integer.getInteger("probe.rate", 200);
    int seconds = Integer.getInteger("probe.seconds", 30);
    int every = Integer.getInteger("probe.every", 50);
    int pollMillis = Integer.getInteger("probe.poll.ms", 10);
    int warmup = Integer.getInteger("probe.warmup", 10);
    String adminToken = System.getProperty("probe.admin-token", "");
    if (!URI.create(base).getHost().startsWith("127.") && !URI.create(base).getHost().equals("localhost")) {
      throw new IllegalArgumentException("probe.url must be a loopback address, was " + base);
    }
    if (adminToken.isEmpty()) {
      throw new IllegalArgumentException("probe.admin-token must be the app's --admin-token: the probe mints the "
          + "author tokens its publishes need");
    }

    // HTTP/1.1 like browsers and Gatling: several connections, spread over the server's event loops
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    Semaphore inFlight = new Semaphore(Integer.getInteger("probe.inflight", 256));
    Histogram publish = new Histogram(3);
    Histogram searchable = new Histogram(3);
    Histogram counted = new Histogram(3);
    AtomicLong failures = new AtomicLong();
    AtomicLong timeouts = new AtomicLong();
    ScheduledExecutorService pollers = Executors.newScheduledThreadPool(2);
    String run = Long.toString(System.currentTimeMillis(), 36);
    long total = (long) rate * seconds;

    // every author it will publish as, with the token of each (null: the app mints none and takes any write)
    List<String> authors = new ArrayList<>();
    for (int i = 0; i < 100 && warmup > 0; i++) {
      authors.add("warmup-" + i);
    }
    for (int i = 0; i < 1000; i++) {
      authors.add("load-" + i);
    }
    for (long i = 0; i < total; i += every) {
      authors.add("probe-" + run + "-" + i);
    }
    Map<String, String> tokens = mintTokens(http, base, adminToken, authors);

    // Warm-up: the same load, unmeasured, so that a fresh JVM's compilation does not count
    long warmupEnd = System.nanoTime() + warmup * 1_000_000_000L;
    for (long i = 0; System.nanoTime() < warmupEnd; i++) {
      long due = warmupEnd - warmup * 1_000_000_000L + i * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      String author = "warmup-" + (i % 100);
      String word = "warmup" + run + "x" + i;
      JsonObject body = new JsonObject().put("authorId", author).put("title", word + " steady load")
          .put("body", "a body of moderate length for the steady publish load ".repeat(8));
      inFlight.acquire();
      CompletableFuture<?> published = http.sendAsync(publishAs(author, tokens, base)
              .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.discarding())
          .whenComplete((r, e) -> inFlight.release());
      if (i % every == 0) {
        // the reads the probes make, unmeasured, so that their code is compiled before the measurement too
        published.thenRun(() -> {
          for (String url : new String[] {base + "/api/search?q=" + word, base + "/api/authors/" + author}) {
            http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding());
          }
        });
      }
    }

    long start = System.nanoTime();
    CompletableFuture<?>[] probes = new CompletableFuture<?>[(int) (total / every) + 1];
    int probeCount = 0;
    for (long i = 0; i < total; i++) {
      long due = start + i * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      boolean probe = i % every == 0;
      String word = "probe" + run + "x" + i;
      String author = probe ? "probe-" + run + "-" + i : "load-" + (i % 1000);
      JsonObject body = new JsonObject().put("authorId", author).put("title", word + " steady load")
          .put("body", "a body of moderate length for the steady publish load ".repeat(8));
      inFlight.acquire();
      long sent = System.nanoTime();
      CompletableFuture<Void> published = http.sendAsync(publishAs(author, tokens, base)
              .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString())
          .thenAccept(response -> {
            synchronized (publish) {
              publish.recordValue((System.nanoTime() - sent) / 1000);
            }
            if (response.statusCode() != 201) {
              failures.incrementAndGet();
              throw new IllegalStateException("publish answered " + response.statusCode());
            }
          })
          .whenComplete((v, e) -> {
            if (e != null && !(e.getCause() instanceof IllegalStateException)) {
              failures.incrementAndGet();
            }
            inFlight.release();
          });
      if (probe) {
        probes[probeCount++] = published.thenCompose(v -> {
          long acked = System.nanoTime();
          CompletableFuture<Void> search = poll(http, pollers, base + "/api/search?q=" + URLEncoder.encode(word,
              StandardCharsets.UTF_8), json -> json.getLong("total") >= 1, acked, pollMillis, searchable, timeouts);
          CompletableFuture<Void> count = poll(http, pollers, base + "/api/authors/" + author,
              json -> json.getLong("blogCount") >= 1, acked, pollMillis, counted, timeouts);
          return CompletableFuture.allOf(search, count);
        }).exceptionally(e -> null);
      }
    }
    double publishSeconds = (System.nanoTime() - start) / 1e9;
    CompletableFuture.allOf(java.util.Arrays.copyOf(probes, probeCount)).get(60, TimeUnit.SECONDS);
    inFlight.acquire(Integer.getInteger("probe.inflight", 256)); // every publish answered
    pollers.shutdownNow();

    System.out.printf("date=%s url=%s cores=%d%n", Instant.now(), base, Runtime.getRuntime().availableProcessors());
    System.out.printf("publishes=%d in %.1f s (%.0f/s target %d/s) failures=%d probes=%d probe_timeouts=%d%n",
        total, publishSeconds, total / publishSeconds, rate, failures.get(), probeCount, timeouts.get());
    print("publish_http_ms", publish);
    print("publish_to_searchable_ms", searchable);
    print("publish_to_counted_ms", counted);
  }

  /** A publish request as {@code author}: with its token, when there are tokens. */
  private static HttpRequest.Builder publishAs(String author, Map<String, String> tokens, String base) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/blogs"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30));
    if (tokens != null) {
      String token = tokens.get(author);
      if (token == null) {
        throw new IllegalStateException("no token minted for " + author);
      }
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  /**
   * A token for each of {@code authors}, minted with the admin token, 16 requests in flight; null when the app
   * has no minting endpoint (404). Any other answer than 201 stops the probe.
   */
  private static Map<String, String> mintTokens(HttpClient http, String base, String adminToken, List<String> authors)
      throws Exception {
    long started = System.nanoTime();
    Map<String, String> tokens = new ConcurrentHashMap<>();
    // one first: an app from before author tokens answers 404
    HttpResponse<String> first = http.send(mintRequest(base, adminToken, authors.get(0)), HttpResponse.BodyHandlers.ofString());
    if (first.statusCode() == 404) {
      System.out.printf("no author tokens minted: %s answers 404 to POST /api/admin/authors/{authorId}/tokens, "
          + "so publishes go without tokens%n", base);
      return null;
    }
    tokens.put(authors.get(0), token(first, authors.get(0)));
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<?>> minted = new ArrayList<>();
    for (String author : authors.subList(1, authors.size())) {
      inFlight.acquire();
      minted.add(http.sendAsync(mintRequest(base, adminToken, author), HttpResponse.BodyHandlers.ofString())
          .whenComplete((r, e) -> inFlight.release())
          .thenAccept(response -> tokens.put(author, token(response, author))));
    }
    CompletableFuture.allOf(minted.toArray(CompletableFuture[]::new)).join(); // throws the first failure
    System.out.printf("minted %d author tokens in %.1f s%n", tokens.size(), (System.nanoTime() - started) / 1e9);
    return tokens;
  }

  private static HttpRequest mintRequest(String base, String adminToken, String author) {
    return HttpRequest.newBuilder(URI.create(base + "/api/admin/authors/" + author + "/tokens"))
        .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        // a day: far longer than any run
        .POST(HttpRequest.BodyPublishers.ofString("{\"ttlSeconds\":86400}")).build();
  }

  private static String token(HttpResponse<String> response, String author) {
    String token = null;
    if (response.statusCode() == 201) {
      token = new JsonObject(response.body()).getString("token");
    }
    if (token == null) {
      throw new IllegalStateException("minting a token for " + author + " failed: HTTP " + response.statusCode()
          + " " + response.body());
    }
    return token;
  }

  private static CompletableFuture<Void> poll(HttpClient http, ScheduledExecutorService pollers, String url,
                                              java.util.function.Predicate<JsonObject> done, long since,
                                              int pollMillis, Histogram into, AtomicLong timeouts) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    Runnable[] attempt = new Runnable[1];
    attempt[0] = () -> http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .whenComplete((response, error) -> {
          long now = System.nanoTime();
          if (error == null && response.statusCode() == 200 && done.test(new JsonObject(response.body()))) {
            synchronized (into) {
              into.recordValue((now - since) / 1000);
            }
            result.complete(null);
          } else if (now - since > 10_000_000_000L) {
            timeouts.incrementAndGet();
            result.complete(null);
          } else {
            pollers.schedule(attempt[0], pollMillis, TimeUnit.MILLISECONDS);
          }
        });
    attempt[0].run();
    return result;
  }

  private static void print(String name, Histogram histogram) {
    synchronized (histogram) {
      System.out.printf("%s count=%d p50=%.1f p99=%.1f max=%.1f%n", name, histogram.getTotalCount(),
          histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
          histogram.getMaxValue() / 1e3);
    }
  }
}
