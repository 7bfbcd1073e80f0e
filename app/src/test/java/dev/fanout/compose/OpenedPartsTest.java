package dev.fanout.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenedPartsTest {

  @Test
  void closesInReverseOrderAndGoesOnPastAFailure() {
    OpenedParts opened = new OpenedParts();
    List<String> closed = new ArrayList<>();
    opened.add("database", "db", () -> {
      closed.add("database");
      return Future.succeededFuture();
    });
    opened.add("stream", "s", () -> {
      closed.add("stream");
      return Future.failedFuture(new IllegalStateException("broker gone"));
    });
    opened.add("search engine", "e", () -> {
      closed.add("search engine");
      throw new IllegalStateException("index locked");
    });
    opened.add("HTTP server", "h", () -> {
      closed.add("HTTP server");
      return Future.succeededFuture();
    });
    assertThat(opened.names()).containsExactly("HTTP server", "search engine", "stream", "database");

    Future<List<String>> failed = opened.closeAll();

    assertThat(failed.succeeded()).isTrue();
    assertThat(failed.result()).containsExactly("search engine", "stream");
    assertThat(closed).containsExactly("HTTP server", "search engine", "stream", "database");
    assertThat(opened.names()).isEmpty();
  }
}
