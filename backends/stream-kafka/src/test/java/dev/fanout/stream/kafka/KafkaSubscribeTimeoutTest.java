package dev.fanout.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** subscribe waits for the member's first assignment at most {@code subscribe.timeout.ms}, then fails clean. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaSubscribeTimeoutTest {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  private Vertx vertx;

  @BeforeAll
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  void closeVertx() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void aMemberThatGetsNoAssignmentFailsItsSubscribeWithinTheBoundAndLeavesNothingJoined() throws Exception {
    // the broker refuses a session timeout below its group.min.session.timeout.ms (6 s): this member never joins
    EventStream stream = broker.openStream(vertx, new JsonObject().put("subscribe.timeout.ms", 2000)
            .put("consumer", new JsonObject().put("session.timeout.ms", "1000").put("heartbeat.interval.ms", "300")))
        .await(30, TimeUnit.SECONDS);
    try {
      stream.admin().createTopic("never-joined", 2, 1).await(30, TimeUnit.SECONDS);
      long start = System.nanoTime();
      Throwable failure = failureWithin(stream.subscribe(SubscribeOptions.of("never-joined", "never-joined-group"),
          batch -> Future.succeededFuture()), Duration.ofSeconds(30));
      assertThat(failure).isInstanceOf(TimeoutException.class).hasMessageContaining("never-joined-group")
          .hasMessageContaining("2000 ms").hasMessageContaining("InvalidSessionTimeoutException");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time until subscribe failed")
          .isLessThan(Duration.ofSeconds(20));
      // nothing half-joined: the member left before subscribe failed, the stream keeps nothing of it
      assertThat(((KafkaEventStream) stream).memberIds("never-joined-group")).as("members kept by the stream")
          .isEmpty();
      stream.close().await(10, TimeUnit.SECONDS);
    } finally {
      stream.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Throwable failureWithin(Future<GroupMember> future, Duration bound) throws Exception {
    try {
      GroupMember member = future.toCompletionStage().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("subscribe succeeded: " + member);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("subscribe neither succeeded nor failed within " + bound, e);
    }
  }
}
