package dev.fanout.stream.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OnContext on a real Vert.x: work runs on the owning context, and so do callbacks on its futures. */
class OnContextTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context owner = vertx.getOrCreateContext();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void runsTheActionOnTheContextAndBindsItsFutureThere() {
    AtomicReference<Context> ranOn = new AtomicReference<>();
    Future<String> result = OnContext.call(owner, () -> {
      ranOn.set(Vertx.currentContext());
      return Future.succeededFuture("done");
    });
    await().until(result::isComplete);

    // added from this plain thread after completion, the callback still runs on the owner
    AtomicReference<Context> callbackOn = new AtomicReference<>();
    result.onSuccess(v -> callbackOn.set(Vertx.currentContext()));
    await().until(() -> callbackOn.get() != null);
    assertThat(ranOn.get()).isSameAs(owner);
    assertThat(callbackOn.get()).isSameAs(owner);
    assertThat(result.result()).isEqualTo("done");
  }

  @Test
  void aThrowingActionOrAMissingFutureFailsTheResult() {
    Future<Void> thrown = OnContext.call(owner, () -> {
      throw new IllegalStateException("boom");
    });
    Future<Void> none = OnContext.call(owner, () -> null);
    await().until(() -> thrown.isComplete() && none.isComplete());
    assertThat(thrown.cause()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(none.cause()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void runsAtOnceWhenAlreadyOnTheContext() {
    AtomicReference<Boolean> inline = new AtomicReference<>();
    owner.runOnContext(v -> {
      boolean[] ran = new boolean[1];
      OnContext.run(owner, () -> ran[0] = true);
      inline.set(ran[0]);
    });
    await().until(() -> inline.get() != null);
    assertThat(inline.get()).isTrue();
  }
}
