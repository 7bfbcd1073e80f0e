package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Decoding whatever arrives on the topic: a valid event comes back equal; anything else, however broken,
 * is refused with {@link InvalidEventException} (which consumers dead-letter) and never with another
 * exception that could crash or block a consumer.
 */
class BlogEventDecodingTest {

  @Property(tries = 500)
  void validEventsSurviveTheRoundTrip(@ForAll("events") BlogEvent event) {
    assertThat(BlogEvent.decode(event.encode())).isEqualTo(event);
  }

  @Property(tries = 2000)
  void randomBytesAreRefusedCleanly(@ForAll byte[] payload) {
    assertDecodesOrRefuses(payload);
  }

  @Property(tries = 2000)
  void aValidEventWithOneByteChangedDecodesOrIsRefusedCleanly(@ForAll("events") BlogEvent event,
                                                             @ForAll int position, @ForAll byte value) {
    byte[] payload = event.encode();
    payload[Math.floorMod(position, payload.length)] = value;
    assertDecodesOrRefuses(payload);
  }

  @Property(tries = 2000)
  void aValidEventWithAFieldReplacedByAnyJsonValueDecodesOrIsRefusedCleanly(
      @ForAll("events") BlogEvent event, @ForAll("fields") String field, @ForAll("jsonValues") Object value) {
    JsonObject json = new JsonObject(new String(event.encode(), StandardCharsets.UTF_8));
    json.put(field, value);
    assertDecodesOrRefuses(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  @Example
  void aPublishedOrUpdatedEventWithoutTitleOrBodyIsRefused() {
    for (BlogEvent.Type type : List.of(BlogEvent.Type.BlogPublished, BlogEvent.Type.BlogUpdated)) {
      BlogEvent event = new BlogEvent(UUID.randomUUID(), type, UUID.randomUUID(), "ada", 1, "t", "b", List.of(),
          Instant.EPOCH, Instant.EPOCH);
      for (String field : List.of("title", "body")) {
        JsonObject json = new JsonObject(new String(event.encode(), StandardCharsets.UTF_8));
        json.remove(field);
        assertThatThrownBy(() -> BlogEvent.decode(json.encode().getBytes(StandardCharsets.UTF_8)))
            .as("%s without %s", type, field).isInstanceOf(InvalidEventException.class).hasMessageContaining(field);
      }
    }
  }

  private static void assertDecodesOrRefuses(byte[] payload) {
    try {
      BlogEvent decoded = BlogEvent.decode(payload);
      // whatever decodes is an event a consumer can apply, and encodes again
      assertThat(BlogEvent.decode(decoded.encode())).isEqualTo(decoded);
      if (decoded.type() != BlogEvent.Type.BlogDeleted) {
        assertThat(decoded.title()).as("the title of a %s", decoded.type()).isNotNull();
        assertThat(decoded.body()).as("the body of a %s", decoded.type()).isNotNull();
      }
    } catch (InvalidEventException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> fields() {
    return Arbitraries.of("schemaVersion", "eventId", "type", "blogId", "authorId", "version", "title", "body",
        "tags", "publishedAt", "occurredAt", "unknown");
  }

  @Provide
  Arbitrary<Object> jsonValues() {
    return Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
        Arbitraries.strings().ofMaxLength(5).list().ofMaxSize(3).map(l -> (Object) new io.vertx.core.json.JsonArray(List.copyOf(l))),
        Arbitraries.just((Object) new io.vertx.core.json.JsonArray().add((Object) null).add(1)),
        Arbitraries.just((Object) new JsonObject().put("nested", 1)));
  }

  @Provide
  Arbitrary<BlogEvent> events() {
    Arbitrary<BlogEvent.Type> types = Arbitraries.of(BlogEvent.Type.class);
    Arbitrary<String> authors = Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(64);
    Arbitrary<String> texts = Arbitraries.strings().ofMinLength(1).ofMaxLength(200);
    Arbitrary<List<String>> tags = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).list().ofMaxSize(5);
    Arbitrary<Integer> versions = Arbitraries.integers().between(1, 1_000_000);
    Arbitrary<Instant> times = Arbitraries.longs().between(0, 4_000_000_000L).map(Instant::ofEpochSecond);
    return Combinators.combine(types, authors, texts, tags, versions, times).as((type, author, text, tagList, version, time) ->
        type == BlogEvent.Type.BlogDeleted
            ? new BlogEvent(UUID.randomUUID(), type, UUID.randomUUID(), author, version, null, null, List.of(), null, time)
            : new BlogEvent(UUID.randomUUID(), type, UUID.randomUUID(), author, version, text, text + " body", tagList, time, time));
  }
}
