package dev.fanout.outbox;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.db.TestDatabase;
import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The outbox on a real PostgreSQL and the in-memory stream: appends, the relay's sends and marks, the
 * re-send of what the groups have not processed, and the processed-events record. Each test uses events of
 * its own; the relay is deployed per test and undeployed after it (it holds the leader lock).
 */
class OutboxTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();
  private static final List<String> GROUPS = List.of("counter", "search");

  private static EventStream stream;

  @BeforeAll
  static void openStream() throws Exception {
    stream = await(StreamBackends.open(DB.vertx(), "memory", new JsonObject()));
  }

  @AfterAll
  static void closeStream() throws Exception {
    await(stream.close());
  }

  private static Pool pool() {
    return DB.database().pool();
  }

  private static BlogEvent event(String author, String title) {
    Instant now = Instant.now();
    return new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(), author, 1, title, "body",
        List.of(), now, now);
  }

  private static List<BlogEvent> append(String author, int count) throws Exception {
    List<BlogEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(event(author, "title " + i));
    }
    await(pool().withTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (BlogEvent e : events) {
        chain = chain.compose(v -> Outbox.append(conn, e));
      }
      return chain;
    }));
    return events;
  }

  private static long unsent(List<BlogEvent> events) throws Exception {
    return await(pool().preparedQuery("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND event_id = ANY($1)")
        .execute(Tuple.tuple().addArrayOfUUID(events.stream().map(BlogEvent::eventId).toArray(UUID[]::new))))
        .iterator().next().getLong("n");
  }

  private static String deployRelay(String topic, boolean replayUnprocessed) throws Exception {
    return await(DB.vertx().deployVerticle(new OutboxRelay(pool(), DB.database().connectOptions(), stream, topic,
        replayUnprocessed, () -> GROUPS, 3, 100,
        Duration.ofDays(1), new RelaySignal(DB.vertx()))));
  }

  @Test
  void anAppendWritesOneRowAndWakesTheRelayWhenItsTransactionCommits() throws Exception {
    AtomicInteger notifications = new AtomicInteger();
    PgSubscriber subscriber = PgSubscriber.subscriber(DB.vertx(), DB.database().connectOptions());
    subscriber.channel(Outbox.CHANNEL).handler(payload -> notifications.incrementAndGet());
    await(subscriber.connect());
    try {
      BlogEvent rolledBack = event("outbox-rollback", "never");
      Future<Void> aborted = pool().withTransaction(conn -> Outbox.append(conn, rolledBack)
          .compose(v -> Future.failedFuture("abort")));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(aborted::isComplete);
      assertThat(unsent(List.of(rolledBack)) + sent(List.of(rolledBack))).as("no row of a rolled-back append").isZero();

      List<BlogEvent> events = append("outbox-append", 2);
      var row = await(pool().preparedQuery("SELECT event_type, event_key, payload FROM outbox WHERE event_id = $1")
          .execute(Tuple.of(events.get(0).eventId()))).iterator().next();
      assertThat(row.getString("event_key")).isEqualTo("outbox-append");
      assertThat(row.getString("event_type")).isEqualTo("BlogPublished");
      assertThat(BlogEvent.decode(row.getBuffer("payload").getBytes())).isEqualTo(events.get(0));
      Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(notifications.get()).as("woken by the committed appends only").isPositive());
    } finally {
      await(subscriber.close());
    }
  }

  private static long sent(List<BlogEvent> events) throws Exception {
    return await(pool().preparedQuery("SELECT count(*) AS n FROM outbox WHERE sent_at IS NOT NULL AND event_id = ANY($1)")
        .execute(Tuple.tuple().addArrayOfUUID(events.stream().map(BlogEvent::eventId).toArray(UUID[]::new))))
        .iterator().next().getLong("n");
  }

  private static List<Instant> sentAt(List<BlogEvent> events) throws Exception {
    List<Instant> times = new ArrayList<>();
    for (BlogEvent e : events) {
      times.add(await(pool().preparedQuery("SELECT sent_at FROM outbox WHERE event_id = $1").execute(Tuple.of(e.eventId())))
          .iterator().next().getOffsetDateTime("sent_at").toInstant());
    }
    return times;
  }

  @Test
  void aPacedRelaySendsWhatCommitsWithinTheGapInOneRound() throws Exception {
    String topic = "relay-paced";
    await(stream.admin().createTopic(topic, 2, 1));
    String relay = await(DB.vertx().deployVerticle(new OutboxRelay(pool(), DB.database().connectOptions(), stream,
        topic, false, () -> GROUPS, 100, 100, Duration.ofDays(1), new RelaySignal(DB.vertx())).pacedRounds(5_000)));
    try {
      List<BlogEvent> first = append("outbox-paced", 1);
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> sent(first) == 1);
      // two commits, each a wake-up, within the gap after the round that sent the first: held, then one round
      List<BlogEvent> later = new ArrayList<>(append("outbox-paced", 1));
      later.addAll(append("outbox-paced", 1));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> sent(later) == 2);
      List<Instant> times = sentAt(later);
      assertThat(times.get(0)).as("marked by one round's transaction").isEqualTo(times.get(1));
      assertThat(times.get(0)).isAfter(sentAt(first).get(0));
    } finally {
      await(DB.vertx().undeploy(relay));
    }
  }

  @Test
  void theRelaySendsUnsentRowsInIdOrderWithTheirHeadersAndMarksThemSent() throws Exception {
    String topic = "relay-order";
    await(stream.admin().createTopic(topic, 4, 1));
    List<StreamRecord> received = new CopyOnWriteArrayList<>();
    GroupMember reader = await(stream.subscribe(SubscribeOptions.of(topic, "relay-order-reader"), batch -> {
      received.addAll(batch);
      return Future.succeededFuture();
    }));
    List<BlogEvent> events = append("outbox-order", 7); // one author: one partition, more than a relay batch
    String relay = deployRelay(topic, false);
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 7);
      assertThat(received).extracting(r -> BlogEvent.decode(r.value()).eventId())
          .containsExactlyElementsOf(events.stream().map(BlogEvent::eventId).toList());
      assertThat(received).allSatisfy(r -> {
        assertThat(r.key()).isEqualTo("outbox-order");
        assertThat(r.headers()).containsEntry(BlogEvent.HEADER_TYPE, "BlogPublished")
            .containsKey(BlogEvent.HEADER_EVENT_ID);
      });
      Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(unsent(events)).isZero());
    } finally {
      await(DB.vertx().undeploy(relay));
      await(reader.leave());
    }
  }

  @Test
  void aLeaderOverAForgetfulStreamReSendsWhatAGroupHasNotProcessed() throws Exception {
    List<BlogEvent> events = append("outbox-forget", 3);
    await(pool().query("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL").execute());
    // every group processed the first; the search group missed the second; nobody the third
    for (String group : GROUPS) {
      await(ProcessedEvents.record(pool(), group, List.of(events.get(0).eventId())));
    }
    await(ProcessedEvents.record(pool(), "counter", List.of(events.get(1).eventId())));
    String topic = "relay-forget";
    await(stream.admin().createTopic(topic, 1, 1));
    List<UUID> received = new CopyOnWriteArrayList<>();
    GroupMember reader = await(stream.subscribe(SubscribeOptions.of(topic, "relay-forget-reader"), batch -> {
      batch.forEach(r -> received.add(BlogEvent.decode(r.value()).eventId()));
      return Future.succeededFuture();
    }));
    String relay = deployRelay(topic, true);
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(received).contains(events.get(1).eventId(), events.get(2).eventId()));
      assertThat(received).doesNotContain(events.get(0).eventId());
    } finally {
      await(DB.vertx().undeploy(relay));
      await(reader.leave());
    }
  }

  @Test
  void aLeadingRelayIsWokenInProcessAndItsWritersSendNoNotify() throws Exception {
    String topic = "relay-signal";
    await(stream.admin().createTopic(topic, 1, 1));
    List<UUID> received = new CopyOnWriteArrayList<>();
    GroupMember reader = await(stream.subscribe(SubscribeOptions.of(topic, "relay-signal-reader"), batch -> {
      batch.forEach(r -> received.add(BlogEvent.decode(r.value()).eventId()));
      return Future.succeededFuture();
    }));
    RelaySignal signal = new RelaySignal(DB.vertx());
    assertThat(signal.notifyInTransaction()).as("no relay leads here yet").isTrue();
    // it polls once a minute: only a wake moves rows within the test's bound
    String relay = await(DB.vertx().deployVerticle(new OutboxRelay(pool(), DB.database().connectOptions(), stream,
        topic, false, () -> GROUPS, 100, 60_000, Duration.ofDays(1), signal)));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !signal.notifyInTransaction());
      BlogEvent event = event("outbox-signal", "woken");
      await(pool().withTransaction(conn -> Outbox.append(conn, event, signal.notifyInTransaction())));
      signal.committed();
      Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(received).contains(event.eventId()));
    } finally {
      await(DB.vertx().undeploy(relay));
      await(reader.leave());
    }
    assertThat(signal.notifyInTransaction()).as("a stopped relay leads no more").isTrue();
  }

  @Test
  void processedEventsRecordsEachIdOnceAndTellsWhichWereNew() throws Exception {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    assertThat(await(ProcessedEvents.record(pool(), "counter", List.of(a)))).containsExactly(a);
    assertThat(await(ProcessedEvents.record(pool(), "counter", List.of(a, b)))).as("a was recorded before")
        .isEqualTo(Set.of(b));
    assertThat(await(ProcessedEvents.record(pool(), "search", List.of(a)))).as("each group keeps its own record")
        .containsExactly(a);
  }
}
