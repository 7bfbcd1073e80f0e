package dev.fanout.consumer;

import static dev.fanout.app.RunningApp.await;
import static org.awaitility.Awaitility.await;
import static dev.fanout.app.RunningApp.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.BlogEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Batches that wait for a running sink call share the next one; a failed shared call is split. */
class CoalescingSinkTest {

  /** A sink whose calls complete when the test says so; it refuses events titled "bad". */
  private static final class HeldSink implements GroupSink {
    final List<List<BlogEvent>> calls = new CopyOnWriteArrayList<>();
    final List<Promise<Void>> pending = new CopyOnWriteArrayList<>();

    @Override
    public Future<Void> apply(List<BlogEvent> events) {
      calls.add(List.copyOf(events));
      Promise<Void> done = Promise.promise();
      pending.add(done);
      return done.future();
    }

    void finishNext() {
      Promise<Void> next = pending.remove(0);
      List<BlogEvent> events = calls.get(calls.size() - 1 - pending.size());
      if (events.stream().anyMatch(e -> "bad".equals(e.title()))) {
        next.fail(new PermanentFailure("bad event"));
      } else {
        next.complete();
      }
    }
  }

  private static List<BlogEvent> batch(String... titles) {
    List<BlogEvent> events = new ArrayList<>();
    for (String title : titles) {
      Instant now = Instant.now();
      events.add(new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, UUID.randomUUID(), "a", 1, title, "b",
          List.of(), now, now));
    }
    return events;
  }


  @Test
  void pacedBatchesThatArriveWithinTheGapShareOneCallThoughNoneRuns() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HeldSink sink = new HeldSink();
      // a gap of 3 s: the second and third arrive well within it, after the first call ended
      CoalescingSink coalescing = new CoalescingSink(sink, 100, vertx, 3_000);
      List<BlogEvent> first = batch("1");
      Future<Void> f1 = coalescing.apply(first);
      assertThat(sink.calls).as("the first runs at once, alone").containsExactly(first);
      sink.finishNext();
      await(f1);
      List<BlogEvent> second = batch("2");
      List<BlogEvent> third = batch("3a", "3b");
      Future<Void> f2 = coalescing.apply(second);
      Future<Void> f3 = coalescing.apply(third);
      await().atMost(Duration.ofSeconds(60)).until(() -> sink.calls.size() == 2);
      List<BlogEvent> shared = new ArrayList<>(second);
      shared.addAll(third);
      assertThat(sink.calls).as("held back by the gap, then one call").containsExactly(first, shared);
      sink.finishNext();
      await(f2);
      await(f3);
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void batchesThatWaitShareTheNextCallInOrderUpToTheLimit() throws Exception {
    HeldSink sink = new HeldSink();
    CoalescingSink coalescing = new CoalescingSink(sink, 4);
    List<BlogEvent> first = batch("1");
    List<BlogEvent> second = batch("2a", "2b");
    List<BlogEvent> third = batch("3a", "3b");
    List<BlogEvent> fourth = batch("4");
    Future<Void> f1 = coalescing.apply(first);
    Future<Void> f2 = coalescing.apply(second);
    Future<Void> f3 = coalescing.apply(third);
    Future<Void> f4 = coalescing.apply(fourth);
    assertThat(sink.calls).as("the first runs at once, alone").containsExactly(first);
    sink.finishNext();
    await(f1);
    List<BlogEvent> shared = new ArrayList<>(second);
    shared.addAll(third);
    assertThat(sink.calls).as("the next two share a call: four events, the limit").containsExactly(first, shared);
    sink.finishNext();
    await(f2);
    await(f3);
    assertThat(sink.calls.get(2)).isEqualTo(fourth);
    sink.finishNext();
    await(f4);
  }

  @Test
  void aFailedSharedCallIsSplitSoThatOnlyTheBadBatchFails() throws Exception {
    HeldSink sink = new HeldSink();
    CoalescingSink coalescing = new CoalescingSink(sink, 100);
    Future<Void> running = coalescing.apply(batch("x"));
    List<BlogEvent> good = batch("good");
    List<BlogEvent> bad = batch("bad", "innocent");
    List<BlogEvent> alsoGood = batch("also good");
    Future<Void> goodDone = coalescing.apply(good);
    Future<Void> badDone = coalescing.apply(bad);
    Future<Void> alsoGoodDone = coalescing.apply(alsoGood);
    sink.finishNext(); // x
    await(running);
    sink.finishNext(); // the shared call of the three fails: it holds the bad event
    for (int i = 0; i < 3; i++) {
      sink.finishNext(); // each batch alone
    }
    assertThat(sink.calls.subList(2, 5)).containsExactly(good, bad, alsoGood);
    await(goodDone);
    await(alsoGoodDone);
    assertThat(failure(badDone)).isInstanceOf(PermanentFailure.class);
  }
}
