package dev.fanout.subscription;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.app.AppProcess;
import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Subscriptions across restarts of the app on the in-memory backend, whose stream is empty after each:
 * what was not delivered before a clean stop is delivered after the start (the relay's start-up replay
 * sends it again), a clean restart delivers nothing twice, and after a {@code kill -9} every acknowledged
 * publish is delivered, again at most what was in flight, under its first webhook id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscriptionRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String[] FLAGS = {"--subscriptions-allow-private", "--retry-backoff-ms", "20",
      "--breaker-wait-ms", "500"};

  private Vertx vertx;
  private TestReceiver receiver;
  private Path dir;

  @BeforeAll
  void startReceiver() throws Exception {
    vertx = Vertx.vertx();
    receiver = TestReceiver.start(vertx);
  }

  @AfterAll
  void stopReceiver() throws Exception {
    receiver.close();
    await(vertx.close());
  }

  @BeforeEach
  void freshDataDir() throws Exception {
    dir = Files.createTempDirectory("fanout-SubscriptionRestartTest");
    receiver.clear();
    receiver.answering(d -> TestReceiver.Answer.ok());
  }

  @AfterEach
  void removeDataDir() throws Exception {
    RunningApp.deleteRecursively(dir);
  }

  private void create(RunningApp app, String name) throws Exception {
    HttpResponse<String> created = app.admin("POST", "/api/admin/subscriptions",
        new JsonObject().put("name", name).put("url", receiver.url()).encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    receiver.secret(app.json(created).getString("secret"));
  }

  private static Map<String, Long> countsById(List<TestReceiver.Delivery> deliveries) {
    return deliveries.stream().collect(Collectors.groupingBy(TestReceiver.Delivery::id, TreeMap::new,
        Collectors.counting()));
  }

  @Test
  void whatWasNotDeliveredBeforeACleanStopIsDeliveredAfterTheStart() throws Exception {
    receiver.answering(d -> TestReceiver.Answer.of(503));
    Map<String, List<String>> written = new TreeMap<>();
    RunningApp app = RunningApp.start(dir, FLAGS);
    try {
      create(app, "held");
      for (int i = 0; i < 20; i++) {
        String author = "held-" + (i % 4);
        written.computeIfAbsent(author, a -> new ArrayList<>()).add(app.publish(author, "held " + i));
      }
      // tried and refused, as a receiver that is down
      await().atMost(WAIT).until(() -> !receiver.all().isEmpty());
      await().atMost(WAIT).until(() -> app.queryLong(
          "SELECT count(*) FROM processed_events WHERE group_name = 'counter'") == 20);
    } finally {
      app.close();
    }
    assertThat(receiver.accepted()).isEmpty();

    receiver.answering(d -> TestReceiver.Answer.ok());
    try (RunningApp again = RunningApp.start(dir, FLAGS)) {
      Set<String> blogs = written.values().stream().flatMap(List::stream).collect(Collectors.toSet());
      await().atMost(WAIT).until(() -> receiver.accepted().stream().map(TestReceiver.Delivery::blogId)
          .collect(Collectors.toSet()).containsAll(blogs));
      List<TestReceiver.Delivery> accepted = receiver.accepted();
      assertThat(accepted).hasSize(20).allMatch(TestReceiver.Delivery::verified);
      assertThat(countsById(accepted)).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
      Map<String, List<String>> got = new TreeMap<>();
      accepted.forEach(d -> got.computeIfAbsent(d.author(), a -> new ArrayList<>()).add(d.blogId()));
      assertThat(got).as("each author's events in the order written").isEqualTo(written);
    }
  }

  @Test
  void aCleanRestartAfterEverythingWasDeliveredDeliversNothingTwice() throws Exception {
    try (RunningApp app = RunningApp.start(dir, FLAGS)) {
      create(app, "settled");
      for (int i = 0; i < 10; i++) {
        app.publish("settled-" + (i % 3), "settled " + i);
      }
      await().atMost(WAIT).until(() -> receiver.accepted().size() >= 10);
    }
    try (RunningApp again = RunningApp.start(dir, FLAGS)) {
      // the subscription runs again: a new publish reaches it
      String after = again.publish("settled-0", "after the restart");
      await().atMost(WAIT).until(() -> receiver.accepted().stream().anyMatch(d -> after.equals(d.blogId())));
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
          .until(() -> receiver.all().size() == 11);
      assertThat(countsById(receiver.all())).hasSize(11).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
    }
  }

  @Test
  void afterKillDashNineEveryAcknowledgedPublishIsDeliveredAndOnlyWhatWasInFlightAgain() throws Exception {
    receiver.answering(d -> TestReceiver.Answer.after(50));
    AppProcess app = AppProcess.start(dir, "--subscriptions-allow-private", "--partitions", "4");
    try {
      HttpResponse<String> created = app.admin("POST", "/api/admin/subscriptions",
          new JsonObject().put("name", "crash").put("url", receiver.url()).encode());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      receiver.secret(new JsonObject(created.body()).getString("secret"));

      Map<String, String> acknowledged = new ConcurrentHashMap<>(); // event id -> author
      ExecutorService clients = Executors.newFixedThreadPool(4);
      for (int c = 0; c < 4; c++) {
        int client = c;
        clients.submit(() -> {
          for (int i = 0; i < 10_000 && !Thread.currentThread().isInterrupted(); i++) {
            String author = "crash-" + ((client + 4 * i) % 10);
            try {
              HttpResponse<String> response = app.publish(author, "c" + client + "-" + i);
              if (response.statusCode() == 201) {
                acknowledged.put(new JsonObject(response.body()).getString("eventId"), author);
              }
            } catch (Exception e) {
              return null; // the app is gone
            }
          }
          return null;
        });
      }
      await().atMost(WAIT).until(() -> receiver.accepted().size() >= 40 && receiver.inFlight() > 0);
      app.kill();
      clients.shutdownNow();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      // what reached the receiver before the kill, answered or not
      await().atMost(WAIT).until(() -> receiver.inFlight() == 0);
      List<TestReceiver.Delivery> before = receiver.all();

      app.restart();
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(receiver.accepted().stream()
          .map(TestReceiver.Delivery::id).collect(Collectors.toSet())).containsAll(acknowledged.keySet()));

      List<TestReceiver.Delivery> accepted = receiver.accepted();
      assertThat(accepted).allMatch(TestReceiver.Delivery::verified);
      // a (blogId, version) delivered again carries the id it had the first time
      Map<String, Set<String>> idsOfChange = accepted.stream().collect(Collectors.groupingBy(
          d -> d.blogId() + "@" + d.version(), Collectors.mapping(TestReceiver.Delivery::id, Collectors.toSet())));
      assertThat(idsOfChange).allSatisfy((change, ids) -> assertThat(ids).as(change).hasSize(1));
      // what comes again is what was in flight: delivered before the kill but not yet recorded. One author's
      // deliveries are recorded in the order they were made, so per author the ones delivered twice are the
      // last of those it had before the kill, with none recorded after them
      Map<String, Long> counts = countsById(accepted);
      Map<String, Long> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1)
          .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
      assertThat(twice.values()).allMatch(n -> n == 2);
      Map<String, List<String>> beforeByAuthor = new HashMap<>();
      before.stream().filter(TestReceiver.Delivery::accepted)
          .forEach(d -> beforeByAuthor.computeIfAbsent(d.author(), a -> new ArrayList<>()).add(d.id()));
      Map<String, String> authorOf = accepted.stream().collect(Collectors.toMap(TestReceiver.Delivery::id,
          TestReceiver.Delivery::author, (x, y) -> x));
      beforeByAuthor.forEach((author, ids) -> {
        int firstAgain = ids.size();
        while (firstAgain > 0 && twice.containsKey(ids.get(firstAgain - 1))) {
          firstAgain--;
        }
        List<String> again = ids.subList(firstAgain, ids.size());
        assertThat(twice.keySet().stream().filter(id -> author.equals(authorOf.get(id))))
            .as("author " + author + ": delivered twice only at the end of what it had before the kill")
            .containsExactlyInAnyOrderElementsOf(again.stream().filter(twice::containsKey).toList());
      });
      assertThat(twice.keySet()).allSatisfy(id -> assertThat(before.stream().map(TestReceiver.Delivery::id))
          .as("only what reached the receiver before the kill comes again").contains(id));
      System.out.println("kill -9: " + acknowledged.size() + " acknowledged, " + before.size()
          + " reached the receiver before the kill, " + twice.size() + " delivered twice");
    } finally {
      app.close();
    }
  }
}
