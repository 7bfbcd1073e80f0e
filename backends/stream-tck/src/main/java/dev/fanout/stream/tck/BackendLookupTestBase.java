package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Finding backends by name: {@link StreamBackends} lists the backend under test under its name, and opening
 * an unknown name fails with a message that lists the known ones. And what a backend says of itself:
 * {@link EventStream#survivesRestart()} tells whether a new client, as a restarted process opens it, finds
 * what the old one wrote.
 */
public abstract class BackendLookupTestBase extends StreamTestBase {

  protected BackendLookupTestBase(BackendUnderTest backend) {
    super(backend);
  }

  @Test
  void anUnknownBackendNameFailsAndListsTheKnownOnes() {
    assertThat(stream.backend()).isEqualTo(backendName());
    assertThat(StreamBackends.names()).contains(backendName());
    Throwable failure = failure(StreamBackends.open(vertx, "nope", new JsonObject()));
    assertThat(failure).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure.getMessage()).contains("nope").contains(backendName());
  }

  @Test
  void aNewClientFindsTheRecordsOfTheOldOneExactlyWhenTheStreamSurvivesRestarts() {
    String topic = createTopic("restart");
    join(stream.send(topic, "k", Map.of(), "kept?".getBytes(StandardCharsets.UTF_8)));
    EventStream restarted = join(openStream(vertx));
    try {
      long found = join(restarted.admin().listTopics()).stream().filter(t -> t.name().equals(topic))
          .flatMap(t -> t.partitions().stream()).mapToLong(TopicDescription.PartitionRange::endOffset).sum();
      assertThat(found).as("records a new client finds; survivesRestart() = %s", stream.survivesRestart())
          .isEqualTo(stream.survivesRestart() ? 1 : 0);
    } finally {
      join(restarted.close());
    }
  }
}
