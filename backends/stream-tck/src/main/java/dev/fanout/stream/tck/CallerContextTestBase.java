package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupMember;
import dev.fanout.stream.OffsetSpec;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every future of the SPI completes on the Vert.x context that called the method, whichever context the
 * work ran on: a callback the caller adds runs where the caller's other callbacks run. Checked for the
 * stream's, the admin's and a member's methods, failures included, with the member subscribed from another
 * context than the caller's.
 */
public abstract class CallerContextTestBase extends StreamTestBase {

  protected CallerContextTestBase(BackendUnderTest backend) {
    super(backend);
  }

  @Test
  void everyFutureCompletesOnTheCallersContext() {
    Context caller = newContext();
    Context elsewhere = newContext();
    String topic = name("caller");
    String group = name("caller-group");
    SubscribeOptions options = SubscribeOptions.of(topic, group);
    DeliveryLog log = newLog(group, topic, SubscribeOptions.DEFAULT_MAX_BATCH_SIZE);

    completesOn(caller, "createTopic", () -> stream.admin().createTopic(topic, partitions(), 1));
    completesOn(caller, "send", () -> stream.send(topic, "k", Map.of(), TestRecords.value("k", 0)));
    completesOn(caller, "a send that fails", () -> stream.send(name("missing"), "k", Map.of(), new byte[0]));
    GroupMember member = completesOn(elsewhere, "subscribe", () -> stream.subscribe(options, log.handler("m1", OK)))
        .result();
    eventually().untilAsserted(() -> {
      assertThat(log.count()).isOne();
      assertThat(describe(group, topic).totalLag()).isZero();
    });
    GroupMember second = completesOn(caller, "subscribe", () -> stream.subscribe(options, log.handler("m2", OK)))
        .result();
    completesOn(caller, "pause of a member subscribed elsewhere", member::pause);
    completesOn(caller, "resume of a member subscribed elsewhere", member::resume);
    completesOn(caller, "pauseGroup", () -> stream.pauseGroup(group));
    completesOn(caller, "resumeGroup", () -> stream.resumeGroup(group));
    completesOn(caller, "listTopics", () -> stream.admin().listTopics());
    completesOn(caller, "listGroups", () -> stream.admin().listGroups());
    completesOn(caller, "describeGroup", () -> stream.admin().describeGroup(group));
    completesOn(caller, "a describeGroup that fails", () -> stream.admin().describeGroup(name("missing-group")));
    completesOn(caller, "a preview of resetOffsets",
        () -> stream.admin().resetOffsets(group, topic, OffsetSpec.latest(), true));
    completesOn(caller, "resetOffsets of the running group",
        () -> stream.admin().resetOffsets(group, topic, OffsetSpec.latest(), false));
    completesOn(caller, "leave of a member subscribed elsewhere", member::leave);
    completesOn(caller, "crash", second::crash);
  }

  /**
   * Calls {@code call} on {@code caller} and checks that a callback added there runs there; returns how the
   * future completed, succeeded or failed.
   */
  private <T> AsyncResult<T> completesOn(Context caller, String what, Supplier<Future<T>> call) {
    Promise<AsyncResult<T>> completed = Promise.promise();
    AtomicReference<Context> where = new AtomicReference<>();
    caller.runOnContext(v -> call.get().onComplete(ar -> {
      where.set(Vertx.currentContext());
      completed.complete(ar);
    }));
    AsyncResult<T> result = join(completed.future());
    assertThat(where.get()).as("context a callback on the future of %s ran on", what).isSameAs(caller);
    return result;
  }

  /** The context of a new (empty) verticle: a context of its own. */
  private Context newContext() {
    AtomicReference<Context> started = new AtomicReference<>();
    join(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        started.set(context);
        return Future.succeededFuture();
      }
    }));
    return started.get();
  }
}
