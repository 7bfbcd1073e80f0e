package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.StreamBackends;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * Finding backends by name: {@link StreamBackends} lists the backend under test under its name, and opening
 * an unknown name fails with a message that lists the known ones.
 */
public abstract class BackendLookupTestBase extends StreamTestBase {

  @Test
  void anUnknownBackendNameFailsAndListsTheKnownOnes() {
    assertThat(stream.backend()).isEqualTo(backendName());
    assertThat(StreamBackends.names()).contains(backendName());
    Throwable failure = failure(StreamBackends.open(vertx, "nope", new JsonObject()));
    assertThat(failure).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure.getMessage()).contains("nope").contains(backendName());
  }
}
