package dev.fanout.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deliveries/s of one webhook subscription against the endpoint's latency and the subscription's
 * {@code maxInFlight}, with authors writing evenly, and the app's and PostgreSQL's CPU per delivery.
 *
 * <p>Per cell: a subscription to this process's receiver (a Vert.x server on 127.0.0.1 that answers 204 after
 * the cell's latency) is created and paused; {@code bench.events} publishes from {@code bench.authors}
 * authors go in while it waits, and the built-in groups drain them; then the CPU of the app and of
 * PostgreSQL is read from {@code /proc}, the subscription resumes, and the clock runs until the receiver has
 * every event. So the figures are the delivery path's alone: the publishes and the other groups' work are
 * done before the clock starts. The receiver's own CPU (this JVM) is not counted.
 *
 * <p>A first cell (0 ms, maxInFlight 64, {@code bench.warmup-events}, 3000) is not reported: the JIT compiles
 * the delivery path on it.
 *
 * <p>Settings (system properties): {@code bench.url}, {@code bench.admin-token}, {@code bench.app-pid},
 * {@code bench.pg-dir} (the embedded PostgreSQL's data directory, for its postmaster's pid), {@code
 * bench.authors} (200), {@code bench.latencies} ("0,20,100" ms), {@code bench.in-flights} ("1,16,64,256"),
 * {@code bench.seconds} (the drain each cell aims at, 6), {@code bench.max-events} (6000). Each cell's
 * events are its expected rate times the seconds, at least 2 per author, at most the maximum; the drain is
 * bounded by 20 times the expected time plus 60 s.
 */
public final class DeliveryBenchmark {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final long HZ = 100; // CLK_TCK on Linux

  private final String url = System.getProperty("bench.url", "http://127.0.0.1:18193");
  private final String admin = System.getProperty("bench.admin-token");
  private final long appPid = Long.parseLong(System.getProperty("bench.app-pid", "0"));
  private final Path pgDir = Path.of(System.getProperty("bench.pg-dir", "."));
  private final int authors = Integer.getInteger("bench.authors", 200);
  private final double seconds = Double.parseDouble(System.getProperty("bench.seconds", "6"));
  private final int maxEvents = Integer.getInteger("bench.max-events", 6000);
  private final Map<String, AtomicLong> received = new ConcurrentHashMap<>();

  public static void main(String[] args) throws Exception {
    new DeliveryBenchmark().run();
  }

  private void run() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer receiver = vertx.createHttpServer().requestHandler(request -> {
      long latency = Long.parseLong(request.getParam("latency", "0"));
      String cell = request.getParam("cell", "");
      request.body().onSuccess(body -> {
        Runnable answer = () -> {
          received.computeIfAbsent(cell, c -> new AtomicLong()).incrementAndGet();
          request.response().setStatusCode(204).end();
        };
        if (latency > 0) {
          vertx.setTimer(latency, id -> answer.run());
        } else {
          answer.run();
        }
      });
    });
    receiver.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.out.printf("deliveries benchmark: %d authors writing evenly; app pid %d%n", authors, appPid);
    System.out.println("| endpoint latency | maxInFlight | events | deliveries/s | of maxInFlight / latency | "
        + "app µs per delivery | PostgreSQL µs per delivery |");
    System.out.println("|---|---|---|---|---|---|---|");
    try {
      // not reported: the JIT compiles the delivery path on these
      int warmup = Integer.getInteger("bench.warmup-events", 3000);
      if (warmup > 0) {
        cell(receiver.actualPort(), 0, 64, warmup, false);
      }
      for (String latencyText : System.getProperty("bench.latencies", "0,20,100").split(",")) {
        for (String inFlightText : System.getProperty("bench.in-flights", "1,16,64,256").split(",")) {
          cell(receiver.actualPort(), Integer.parseInt(latencyText.trim()), Integer.parseInt(inFlightText.trim()), 0,
              true);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** One cell; {@code fixedEvents} 0 for as many as the cell's expected rate needs. */
  private void cell(int port, int latency, int inFlight, int fixedEvents, boolean report) throws Exception {
    String name = "bench-" + latency + "-" + inFlight + "-" + System.nanoTime() % 100_000;
    // what the cell could reach at best: maxInFlight calls in flight all the time, each latency long; a
    // 0 ms endpoint is bounded by the app, guessed at 3,000/s
    double ideal = latency == 0 ? 3_000 : inFlight * 1000.0 / latency;
    int events = fixedEvents > 0 ? fixedEvents : (int) Math.min(maxEvents, Math.max(2L * authors, Math.round(Math.min(ideal, 3_000) * seconds)));
    int rounded = (events + authors - 1) / authors * authors;
    events = rounded;
    String hook = "http://127.0.0.1:" + port + "/hook?latency=" + latency + "&cell=" + name;
    JsonObject created = call("POST", "/api/admin/subscriptions", new JsonObject().put("name", name).put("url", hook)
        .put("maxInFlight", inFlight).put("timeoutMs", 10_000), 201);
    call("POST", "/api/admin/subscriptions/" + name + "/pause", null, 200);
    publish(events, name);
    waitUntil(() -> builtInLag() == 0 && lag(name) == rounded, 300, "the built-in groups to drain and the lag to show");
    double appBefore = cpuSeconds(List.of(appPid));
    double pgBefore = pgCpuSeconds();
    long start = System.nanoTime();
    call("POST", "/api/admin/subscriptions/" + name + "/resume", null, 200);
    long bound = (long) (events / Math.min(ideal, 3_000) * 20 + 60);
    AtomicLong got = received.computeIfAbsent(name, c -> new AtomicLong());
    int total = events;
    waitUntil(() -> got.get() >= total, bound, "every delivery of " + name);
    double elapsed = (System.nanoTime() - start) / 1e9;
    double app = cpuSeconds(List.of(appPid)) - appBefore;
    double pg = pgCpuSeconds() - pgBefore;
    double rate = events / elapsed;
    if (report) {
      System.out.printf("| %d ms | %d | %d | %,.0f | %s | %.0f | %.0f |%n", latency, inFlight, events, rate,
          latency == 0 ? "-" : String.format("%.2f", rate / ideal), app * 1e6 / events, pg * 1e6 / events);
    }
    call("DELETE", "/api/admin/subscriptions/" + name, null, 200);
    if (created.getString("secret") == null) {
      throw new IllegalStateException("no secret in the create answer");
    }
  }

  private void publish(int events, String title) throws Exception {
    Semaphore window = new Semaphore(32);
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      String author = "bench-author-" + (i % authors);
      JsonObject blog = new JsonObject().put("authorId", author).put("title", title + " " + i)
          .put("body", "a body of a benchmark blog, " + i);
      window.acquire();
      sent.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url + "/api/blogs"))
              .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(blog.encode()))
              .build(), HttpResponse.BodyHandlers.ofString())
          .whenComplete((r, e) -> window.release()));
    }
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
      if (r.statusCode() != 201) {
        throw new IllegalStateException("a publish was refused: " + r.statusCode() + " " + r.body());
      }
    }
  }

  private long builtInLag() throws Exception {
    long sum = 0;
    for (Object g : call("GET", "/api/groups", null, 200).getJsonArray("groups")) {
      JsonObject group = (JsonObject) g;
      if (!group.getString("group").startsWith("sub-")) {
        sum += group.getLong("lag", 0L);
      }
    }
    return sum;
  }

  private long lag(String name) throws Exception {
    Long lag = call("GET", "/api/admin/subscriptions/" + name, null, 200).getLong("lag");
    return lag == null ? -1 : lag;
  }

  private JsonObject call(String method, String path, JsonObject body, int expected) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + admin)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("content-type", "application/json");
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
    }
    return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void waitUntil(Check check, long seconds, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + seconds + " s waiting for " + what);
      }
      Thread.sleep(20); // polling an outside process: nothing to wait on but time
    }
  }

  // user + system CPU of the processes, and of the children they waited for, in seconds
  private static double cpuSeconds(List<Long> pids) throws Exception {
    long ticks = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
      } catch (java.nio.file.NoSuchFileException e) {
        // a backend that ended in between
      }
    }
    return ticks / (double) HZ;
  }

  private double pgCpuSeconds() throws Exception {
    long postmaster = Long.parseLong(Files.readAllLines(pgDir.resolve("postmaster.pid")).get(0).trim());
    List<Long> pids = new ArrayList<>(List.of(postmaster));
    Process children = new ProcessBuilder("pgrep", "-P", Long.toString(postmaster)).start();
    for (String line : new String(children.getInputStream().readAllBytes()).split("\\s+")) {
      if (!line.isBlank()) {
        pids.add(Long.parseLong(line.trim()));
      }
    }
    children.waitFor();
    return cpuSeconds(pids);
  }
}
