package dev.fanout.outbox;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.db.TestDatabase;
import dev.fanout.events.BlogEvent;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pruning on a real PostgreSQL and an in-memory stream that keeps four records a partition: an event goes
 * with its processed-events records once every group processed it and its record is out of the stream (or
 * was sent to a life of the stream that is gone), and not before its kept window.
 */
class OutboxPrunerTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();
  private static final List<String> GROUPS = List.of("counter", "search");
  private static final String TOPIC = "prune-events";

  private static List<UUID> ids(String sql) throws Exception {
    List<UUID> ids = new ArrayList<>();
    for (Row row : await(DB.database().pool().query(sql).execute())) {
      ids.add(row.getUUID(0));
    }
    return ids;
  }

  @Test
  void anEventGoesOnceEveryGroupProcessedItAndNoRedeliveryCanReachIt() throws Exception {
    EventStream stream = await(StreamBackends.open(DB.vertx(), "memory", new JsonObject().put("retention.records", 4)));
    await(stream.admin().createTopic(TOPIC, 1, 1));
    List<UUID> events = new ArrayList<>();
    await(DB.database().pool().withTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < 10; i++) {
        Instant now = Instant.now();
        BlogEvent event = new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(), "pruned",
            1, "t" + i, "b", List.of(), now, now);
        events.add(event.eventId());
        chain = chain.compose(v -> Outbox.append(conn, event));
      }
      return chain;
    }));
    String relay = await(DB.vertx().deployVerticle(new OutboxRelay(DB.database().pool(),
        DB.database().connectOptions(), stream, TOPIC, false, () -> GROUPS, 100, 100,
        Duration.ofDays(1), new RelaySignal(DB.vertx()))));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
          ids("SELECT event_id FROM outbox WHERE sent_at IS NOT NULL AND event_key = 'pruned'").size() == 10);
    } finally {
      await(DB.vertx().undeploy(relay));
    }
    assertThat(await(DB.database().pool().query("SELECT stream_offset FROM outbox WHERE event_key = 'pruned' ORDER BY id").execute()))
        .extracting(row -> row.getLong(0)).as("where each send landed").containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    for (String group : GROUPS) {
      await(ProcessedEvents.record(DB.database().pool(), group, events.subList(0, 8)));
    }
    await(ProcessedEvents.record(DB.database().pool(), "counter", List.of(events.get(8))));
    List<TopicDescription.PartitionRange> partitions = await(stream.admin().listTopics()).stream()
        .filter(t -> t.name().equals(TOPIC)).findFirst().orElseThrow().partitions();
    assertThat(partitions.get(0).startOffset()).as("the stream keeps offsets 6 to 9").isEqualTo(6);

    assertThat(await(new OutboxPruner(DB.database().pool(), () -> GROUPS, Duration.ofDays(1), 100)
        .pruneOnce(partitions, null))).as("nothing inside the kept window").isZero();

    OutboxPruner pruner = new OutboxPruner(DB.database().pool(), () -> GROUPS, Duration.ZERO, 100);
    assertThat(await(pruner.pruneOnce(partitions, null))).isEqualTo(6);
    assertThat(ids("SELECT event_id FROM outbox WHERE event_key = 'pruned' ORDER BY id"))
        .as("6 and 7 can still be read again; 8 and 9 are not processed by every group")
        .containsExactlyElementsOf(events.subList(6, 10));
    assertThat(ids("SELECT DISTINCT event_id FROM processed_events")).as("the dedupe records of what is left")
        .containsAll(events.subList(6, 9)).doesNotContainAnyElementsOf(events.subList(0, 6));

    // a stream that forgets: whatever was sent to its earlier life can never be read again
    assertThat(await(pruner.pruneOnce(partitions, Instant.now().plusSeconds(1)))).isEqualTo(2);
    assertThat(ids("SELECT event_id FROM outbox WHERE event_key = 'pruned' ORDER BY id"))
        .containsExactlyElementsOf(events.subList(8, 10));
    assertThat(await(DB.database().pool().preparedQuery("SELECT count(*) FROM processed_events WHERE event_id = $1")
        .execute(Tuple.of(events.get(8)))).iterator().next().getLong(0)).as("kept with its event").isEqualTo(1);
    await(stream.close());
  }

  @Test
  void theRelaysLeaderPrunesByItself() throws Exception {
    EventStream stream = await(StreamBackends.open(DB.vertx(), "memory", new JsonObject().put("retention.records", 2)));
    await(stream.admin().createTopic("prune-by-relay", 1, 1));
    List<UUID> events = new ArrayList<>();
    await(DB.database().pool().withTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < 6; i++) {
        Instant now = Instant.now();
        BlogEvent event = new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(),
            "pruned-by-relay", 1, "t" + i, "b", List.of(), now, now);
        events.add(event.eventId());
        chain = chain.compose(v -> Outbox.append(conn, event));
      }
      return chain;
    }));
    for (String group : GROUPS) {
      await(ProcessedEvents.record(DB.database().pool(), group, events));
    }
    String relay = await(DB.vertx().deployVerticle(new OutboxRelay(DB.database().pool(),
        DB.database().connectOptions(), stream, "prune-by-relay", false, () -> GROUPS, 100, 100,
        Duration.ZERO, new RelaySignal(DB.vertx()))));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(ids("SELECT event_id FROM outbox WHERE event_key = 'pruned-by-relay' ORDER BY id"))
              .as("what the stream still keeps").containsExactlyElementsOf(events.subList(4, 6)));
    } finally {
      await(DB.vertx().undeploy(relay));
      await(stream.close());
      // the outbox holds one topic's events; this test's stream and topic are its own
      await(DB.database().pool().query("DELETE FROM outbox WHERE event_key = 'pruned-by-relay'").execute());
    }
  }

  @Test
  void rowsThatMustStayAtTheHeadKeepNothingAfterThemFromGoing() throws Exception {
    // 1,001 events the search group never processed (dead letters nobody replayed), then 500 that are done
    String insert = "INSERT INTO outbox (event_id, event_type, event_key, blog_id, payload, sent_at, stream_partition, "
        + "stream_offset) SELECT gen_random_uuid(), 'BlogPublished', 'prune-head', gen_random_uuid(), '\\x7b7d'::bytea, "
        + "now() - interval '1 day', 0, g FROM generate_series(1, 1501) g";
    await(DB.database().pool().query(insert).execute());
    await(DB.database().pool().query("INSERT INTO processed_events (group_name, event_id) SELECT 'counter', event_id "
        + "FROM outbox WHERE event_key = 'prune-head'").execute());
    await(DB.database().pool().query("INSERT INTO processed_events (group_name, event_id) SELECT 'search', event_id "
        + "FROM outbox WHERE event_key = 'prune-head' AND stream_offset > 1001").execute());
    List<UUID> mustStay = ids("SELECT event_id FROM outbox WHERE event_key = 'prune-head' AND stream_offset <= 1001 ORDER BY id");
    List<UUID> done = ids("SELECT event_id FROM outbox WHERE event_key = 'prune-head' AND stream_offset > 1001");
    try {
      OutboxPruner pruner = new OutboxPruner(DB.database().pool(), () -> GROUPS, Duration.ZERO, 1000);
      int pruned = 0;
      for (int call = 0; call < 3; call++) {
        pruned += await(pruner.pruneOnce(List.of(), Instant.now()));
      }
      assertThat(pruned).as("events pruned in three calls").isEqualTo(500);
      assertThat(ids("SELECT event_id FROM outbox WHERE event_key = 'prune-head' ORDER BY id"))
          .as("what is left: the events that must stay").containsExactlyElementsOf(mustStay);
      assertThat(ids("SELECT event_id FROM processed_events")).as("dedupe records of pruned events")
          .doesNotContainAnyElementsOf(done);
    } finally {
      // the other tests' pruners look at the head of the same outbox
      await(DB.database().pool().query("WITH gone AS (DELETE FROM outbox WHERE event_key = 'prune-head' "
          + "RETURNING event_id) DELETE FROM processed_events p USING gone g WHERE p.event_id = g.event_id").execute());
    }
  }

  @Test
  void anEventAGroupSkippedGoesLikeOneItProcessed() throws Exception {
    // the counter processed both; the search group skipped the first (a reset forward) and never saw the second
    String insert = "INSERT INTO outbox (event_id, event_type, event_key, blog_id, payload, sent_at, stream_partition, "
        + "stream_offset) SELECT gen_random_uuid(), 'BlogPublished', 'prune-skip', gen_random_uuid(), '\\x7b7d'::bytea, "
        + "now() - interval '1 day', 0, g FROM generate_series(1, 2) g";
    await(DB.database().pool().query(insert).execute());
    await(DB.database().pool().query("INSERT INTO processed_events (group_name, event_id) SELECT 'counter', event_id "
        + "FROM outbox WHERE event_key = 'prune-skip'").execute());
    await(DB.database().pool().query("INSERT INTO event_attempts (group_name, event_id, skipped_at) SELECT 'search', "
        + "event_id, now() FROM outbox WHERE event_key = 'prune-skip' AND stream_offset = 1").execute());
    List<UUID> unseen = ids("SELECT event_id FROM outbox WHERE event_key = 'prune-skip' AND stream_offset = 2");
    List<UUID> skipped = ids("SELECT event_id FROM outbox WHERE event_key = 'prune-skip' AND stream_offset = 1");
    try {
      OutboxPruner pruner = new OutboxPruner(DB.database().pool(), () -> GROUPS, Duration.ZERO, 1000);
      Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        await(pruner.pruneOnce(List.of(), Instant.now()));
        assertThat(ids("SELECT event_id FROM outbox WHERE event_key = 'prune-skip'"))
            .as("the skipped event is pruned, the one search never saw stays").containsExactlyElementsOf(unseen);
      });
      assertThat(ids("SELECT event_id FROM event_attempts WHERE group_name = 'search'"))
          .as("the skip record goes with its event").doesNotContainAnyElementsOf(skipped);
    } finally {
      await(DB.database().pool().query("WITH gone AS (DELETE FROM outbox WHERE event_key = 'prune-skip' "
          + "RETURNING event_id) DELETE FROM processed_events p USING gone g WHERE p.event_id = g.event_id").execute());
    }
  }

  @Test
  void aGroupHoldsNoEventCommittedBeforeItWasOwedEvents() throws Exception {
    EventStream stream = await(StreamBackends.open(DB.vertx(), "memory", new JsonObject().put("retention.records", 1)));
    await(stream.admin().createTopic("prune-owed", 1, 1));
    List<UUID> events = new ArrayList<>();
    await(DB.database().pool().withTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < 4; i++) {
        Instant now = Instant.now();
        BlogEvent event = new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(),
            "pruned-owed", 1, "t" + i, "b", List.of(), now, now);
        events.add(event.eventId());
        chain = chain.compose(v -> Outbox.append(conn, event));
      }
      return chain;
    }));
    String relay = await(DB.vertx().deployVerticle(new OutboxRelay(DB.database().pool(),
        DB.database().connectOptions(), stream, "prune-owed", false, () -> GROUPS, 100, 100,
        Duration.ofDays(1), new RelaySignal(DB.vertx()))));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
          ids("SELECT event_id FROM outbox WHERE sent_at IS NOT NULL AND event_key = 'pruned-owed'").size() == 4);
    } finally {
      await(DB.vertx().undeploy(relay));
    }
    for (String group : GROUPS) {
      await(ProcessedEvents.record(DB.database().pool(), group, events));
    }
    List<TopicDescription.PartitionRange> partitions = await(stream.admin().listTopics()).stream()
        .filter(t -> t.name().equals("prune-owed")).findFirst().orElseThrow().partitions();
    List<String> withLate = List.of("counter", "search", "sub-late");

    // a group that is owed everything and processed nothing holds every event
    OutboxPruner holding = new OutboxPruner(DB.database().pool(), () -> withLate, OwedFrom.ALWAYS, Duration.ZERO, 100);
    await(holding.pruneOnce(partitions, null));
    assertThat(ids("SELECT event_id FROM outbox WHERE event_key = 'pruned-owed'")).hasSize(4);

    // the same group, started after them (a subscription created "latest"), holds none of them
    Instant started = Instant.now().plusSeconds(1);
    OwedFrom owed = group -> group.equals("sub-late") ? started : Instant.EPOCH;
    OutboxPruner pruner = new OutboxPruner(DB.database().pool(), () -> withLate, owed, Duration.ZERO, 100);
    await(pruner.pruneOnce(partitions, null));
    assertThat(ids("SELECT event_id FROM outbox WHERE event_key = 'pruned-owed'")).as("all but the one the stream keeps")
        .containsExactly(events.get(3));
    // the other tests count what their pruners delete in the whole table
    await(DB.database().pool().query("DELETE FROM processed_events WHERE event_id IN (SELECT event_id FROM outbox "
        + "WHERE event_key = 'pruned-owed')").execute());
    await(DB.database().pool().query("DELETE FROM outbox WHERE event_key = 'pruned-owed'").execute());
    await(stream.close());
  }
}
