package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.FanoutApp;
import dev.fanout.app.RunningApp;
import dev.fanout.stream.StartPosition;
import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Poison events. One the counter's database rejects (a constraint an operator added, as a bug would):
 * after the retry budget it is dead-lettered with its origin, the events after it on the same partition
 * are counted, the search group is untouched; once the constraint is gone, a replay counts it once, in
 * the counter group only. And bytes that are no event at all go to both groups' dead letters at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonEventTest {

  private static final int ATTEMPTS = 3;

  // one partition: every event shares the poison's partition
  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "1", "--retry-attempts", Integer.toString(ATTEMPTS),
        "--retry-backoff-ms", "20");


  @Test
  void aRejectedEventIsDeadLetteredThenReplayedOnceInItsGroupOnly() throws Exception {
    long counted = processed("counter");
    long indexed = processed("search");
    long deadLettered = app.figures("counter").getLong("deadLetters");
    long firstOffset = app.endOffset(FanoutApp.EVENTS_TOPIC);
    RunningApp.await(app.app().database().pool().query(
        "ALTER TABLE author_stats ADD CONSTRAINT no_poison CHECK (author_id <> 'poison-author')").execute());
    app.publish("healthy-a", "before the poison");
    String poisonBlog = app.publish("poison-author", "the poison");
    for (int i = 0; i < 20; i++) {
      app.publish(i % 2 == 0 ? "healthy-a" : "healthy-b", "after the poison " + i);
    }
    long events = 22;

    awaitSettled(counted + events - 1);
    assertThat(count("healthy-a")).isEqualTo(11);
    assertThat(count("healthy-b")).isEqualTo(10);
    assertThat(count("poison-author")).isZero();
    assertThat(app.figures("counter").getLong("deadLetters")).isEqualTo(deadLettered + 1);
    assertThat(app.figures("counter").getLong("retries")).isGreaterThanOrEqualTo(ATTEMPTS - 1);
    assertThat(processed("search")).isEqualTo(indexed + events);

    List<StreamRecord> letters = readAll(DeadLetters.topic(FanoutApp.EVENTS_TOPIC, "counter"), (int) deadLettered + 1);
    StreamRecord letter = letters.stream().filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains(poisonBlog))
        .findFirst().orElseThrow();
    Map<String, String> headers = letter.headers();
    assertThat(headers).containsEntry(DeadLetters.ORIGINAL_TOPIC, FanoutApp.EVENTS_TOPIC)
        .containsEntry(DeadLetters.ORIGINAL_PARTITION, "0")
        .containsEntry(DeadLetters.ORIGINAL_OFFSET, Long.toString(firstOffset + 1))
        .containsEntry(DeadLetters.ORIGINAL_KEY, "poison-author")
        .containsEntry(DeadLetters.ATTEMPTS, Integer.toString(ATTEMPTS))
        .containsEntry(DeadLetters.GROUP, "counter");
    assertThat(headers.get(DeadLetters.ERROR)).contains("no_poison");

    long searchProcessed = app.figures("search").getLong("processed");
    RunningApp.await(app.app().database().pool().query("ALTER TABLE author_stats DROP CONSTRAINT no_poison").execute());
    JsonObject replay = app.json(app.admin("POST", "/api/admin/groups/counter/dead-letters/replay", null));
    assertThat(replay.getLong("replayed")).as(replay.encode()).isEqualTo(1);
    assertThat(replay.getLong("deadLetteredAgain")).isZero();
    assertThat(replay.getBoolean("finished")).isTrue();
    assertThat(count("poison-author")).isEqualTo(1);

    JsonObject again = app.json(app.admin("POST", "/api/admin/groups/counter/dead-letters/replay", null));
    assertThat(again.getLong("replayed")).as("a replay starts after the last one").isZero();
    assertThat(count("poison-author")).isEqualTo(1);
    assertThat(app.figures("search").getLong("processed")).as("search never sees the replay").isEqualTo(searchProcessed);
    assertThat(processed("counter")).isEqualTo(counted + events);
    assertThat(app.audit().getJsonArray("discrepancies")).isEmpty();
  }

  @Test
  void bytesThatAreNoEventGoToBothGroupsDeadLettersAndTheRestFlows() throws Exception {
    long counterBefore = deadLetterCount("counter");
    long searchBefore = deadLetterCount("search");
    RunningApp.await(app.app().stream().send(FanoutApp.EVENTS_TOPIC, "garbage-author", Map.of(),
        new byte[] {(byte) 0xff, 0x00, 0x7b}));
    app.publish("after-garbage", "still flows");
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(count("after-garbage")).isEqualTo(1);
      assertThat(deadLetterCount("counter")).isEqualTo(counterBefore + 1);
      assertThat(deadLetterCount("search")).isEqualTo(searchBefore + 1);
      assertThat(app.group("search").getLong("lag")).isZero();
    });
    List<StreamRecord> letters = readAll(DeadLetters.topic(FanoutApp.EVENTS_TOPIC, "search"), (int) searchBefore + 1);
    assertThat(letters.get(letters.size() - 1).headers()).containsEntry(DeadLetters.ATTEMPTS, "1")
        .containsEntry(DeadLetters.ORIGINAL_KEY, "garbage-author");
  }

  private void awaitSettled(long counted) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      assertThat(app.group("counter").getLong("lag")).isZero();
      assertThat(app.group("search").getLong("lag")).isZero();
      assertThat(processed("counter")).isEqualTo(counted);
    });
  }

  private long processed(String group) throws Exception {
    return app.queryLong("SELECT count(*) FROM processed_events WHERE group_name = $1", group);
  }

  private long count(String author) throws Exception {
    return app.json(app.get("/api/authors/" + author)).getLong("blogCount");
  }

  private long deadLetterCount(String group) throws Exception {
    return app.endOffset(DeadLetters.topic(FanoutApp.EVENTS_TOPIC, group));
  }

  /** Reads a topic from the start with a throwaway group until {@code expected} records arrived. */
  private List<StreamRecord> readAll(String topic, int expected) throws Exception {
    List<StreamRecord> records = new CopyOnWriteArrayList<>();
    var member = RunningApp.await(app.app().stream().subscribe(
        SubscribeOptions.of(topic, "test-reader-" + System.nanoTime()).withStartFrom(StartPosition.EARLIEST), batch -> {
          records.addAll(batch);
          return Future.succeededFuture();
        }));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> records.size() >= expected);
    } finally {
      RunningApp.await(member.leave());
    }
    return records;
  }
}
