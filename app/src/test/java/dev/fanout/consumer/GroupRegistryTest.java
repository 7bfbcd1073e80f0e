package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry is live: what readers took before a change keeps, and their next read sees the change. */
class GroupRegistryTest {

  private static Vertx vertx;
  private static EventStream stream;

  @BeforeAll
  static void open() throws Exception {
    vertx = Vertx.vertx();
    stream = StreamBackends.open(vertx, "memory", new JsonObject()).toCompletionStage().toCompletableFuture().get();
  }

  @AfterAll
  static void close() throws Exception {
    stream.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static LocalGroup group(String name, SimpleMeterRegistry metrics) {
    return new LocalGroup(vertx, stream, "events", GroupSpec.of(name, events -> Future.succeededFuture(),
        ResiliencePolicy.defaults()), SinkInterceptor.NONE, metrics, GroupTrail.NONE);
  }

  @Test
  void groupsComeAndGoInTheOrderTheyWereAdded() {
    GroupRegistry registry = new GroupRegistry();
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    registry.add(group("counter", metrics));
    registry.add(group("search", metrics));
    List<String> before = registry.names();
    Map<String, LocalGroup> snapshot = registry.byName();
    List<String> removed = new ArrayList<>();
    registry.onRemove(g -> removed.add(g.name()));

    registry.add(group("sub-newsletter", metrics));
    assertThat(registry.names()).containsExactly("counter", "search", "sub-newsletter");
    assertThat(registry.remove("search")).isPresent();
    assertThat(registry.remove("search")).isEmpty();

    assertThat(registry.names()).containsExactly("counter", "sub-newsletter");
    assertThat(registry.find("search")).isEmpty();
    assertThat(removed).containsExactly("search");
    // what a reader took before stays as it was
    assertThat(before).containsExactly("counter", "search");
    assertThat(snapshot).containsOnlyKeys("counter", "search");
    assertThatThrownBy(() -> registry.add(group("counter", metrics))).hasMessageContaining("already registered");
  }

  @Test
  void aRetiredGroupTakesItsMetersOffTheRegistry() throws Exception {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    LocalGroup kept = group("kept", metrics);
    LocalGroup retired = group("retired", metrics);
    assertThat(metrics.find("fanout.consumer.processed").tag("group", "retired").counter()).isNotNull();

    retired.retire().toCompletionStage().toCompletableFuture().get();

    assertThat(metrics.find("fanout.consumer.processed").tag("group", "retired").counter()).isNull();
    assertThat(metrics.find("fanout.consumer.processed").tag("group", kept.name()).counter()).isNotNull();
  }
}
