package dev.fanout.consumer;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.BatchHandler;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.RecordPosition;
import dev.fanout.stream.StreamAdmin;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A member verticle's life around a crash: stopped while its re-join is in flight, it leaves no member behind. */
class EventConsumerVerticleTest {

  private static Vertx vertx;
  private static EventStream memory;

  @BeforeAll
  static void open() throws Exception {
    vertx = Vertx.vertx();
    memory = await(StreamBackends.open(vertx, "memory", new JsonObject()));
    await(memory.admin().createTopic("rejoin", 2, 1));
  }

  @AfterAll
  static void close() throws Exception {
    await(memory.close());
    await(vertx.close());
  }

  /**
   * The real in-memory stream, except that while {@code hold} is set, the answer to {@code subscribe}
   * (already joined in the stream) is kept back until the test releases it: a join "in flight".
   */
  private static final class HeldJoins implements EventStream {
    volatile boolean hold;
    final AtomicReference<Promise<GroupMember>> held = new AtomicReference<>();

    @Override
    public Future<GroupMember> subscribe(SubscribeOptions options, BatchHandler handler) {
      Future<GroupMember> joined = memory.subscribe(options, handler);
      if (!hold) {
        return joined;
      }
      Promise<GroupMember> answer = Promise.promise();
      joined.onSuccess(m -> held.set(answer));
      return answer.future().compose(v -> joined);
    }

    @Override
    public String backend() {
      return memory.backend();
    }

    @Override
    public boolean survivesRestart() {
      return memory.survivesRestart();
    }

    @Override
    public Future<RecordPosition> send(String topic, String key, Map<String, String> headers, byte[] value) {
      return memory.send(topic, key, headers, value);
    }

    @Override
    public Future<Void> pauseGroup(String group) {
      return memory.pauseGroup(group);
    }

    @Override
    public Future<Void> resumeGroup(String group) {
      return memory.resumeGroup(group);
    }

    @Override
    public StreamAdmin admin() {
      return memory.admin();
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  private static int members(String group) throws Exception {
    return await(memory.admin().describeGroup(group)).members().size();
  }

  @Test
  void aMemberStoppedWhileItsReJoinIsInFlightLeavesNoMemberBehind() throws Exception {
    HeldJoins stream = new HeldJoins();
    EventConsumerVerticle verticle = new EventConsumerVerticle(stream, SubscribeOptions.of("rejoin", "rejoiners"),
        batch -> Future.succeededFuture(), new LocalMembers());
    String deployment = await(vertx.deployVerticle(verticle));
    assertThat(members("rejoiners")).isEqualTo(1);

    stream.hold = true;
    await(verticle.crash(1));
    // the re-join has reached the stream, which has added the new member; its answer is held back
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> stream.held.get() != null);
    assertThat(members("rejoiners")).isEqualTo(1);

    Future<Void> undeployed = vertx.undeploy(deployment);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(verticle::stopping);
    stream.held.get().complete();
    await(undeployed);
    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(members("rejoiners")).as("members of a group whose only verticle was stopped").isZero());
  }
}
