package dev.fanout.lab;

import dev.fanout.stream.EventStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what one run left on the stream: every group, then every topic, named after the run's prefix (its
 * groups, their dead-letter topics and replay groups, the readers that measured the topics). Runs after the
 * run's members stopped. Nothing it does blocks; a name it cannot delete is logged and the rest still go.
 */
final class RunCleanup {

  private static final Logger LOG = LoggerFactory.getLogger(RunCleanup.class);
  /** A member that just left may still count under Kafka's coordinator: a refusal is asked again this long. */
  private static final Duration REFUSED_FOR = Duration.ofSeconds(15);
  private static final Duration ASK_AGAIN = Duration.ofMillis(100);

  private RunCleanup() {
  }

  /** Whether {@code name} (a topic or a group) belongs to the run called {@code prefix}. */
  static boolean owns(String prefix, String name) {
    return name.equals(prefix) || name.startsWith(prefix + "-") || name.startsWith(prefix + ".");
  }

  /** Deletes the run's groups, then its topics (deleting a topic first would leave its groups without offsets). */
  static Future<Void> deleteFrom(Vertx vertx, EventStream stream, String prefix) {
    return stream.admin().listGroups()
        .compose(groups -> each(vertx, owned(prefix, groups), stream.admin()::deleteGroup))
        .compose(v -> stream.admin().listTopics())
        .compose(topics -> each(vertx, owned(prefix, topics.stream().map(t -> t.name()).toList()),
            stream.admin()::deleteTopic));
  }

  private static List<String> owned(String prefix, List<String> names) {
    List<String> result = new ArrayList<>();
    for (String name : names) {
      if (owns(prefix, name)) {
        result.add(name);
      }
    }
    return result;
  }

  private static Future<Void> each(Vertx vertx, List<String> names, Function<String, Future<Void>> delete) {
    Future<Void> chain = Future.succeededFuture();
    for (String name : names) {
      chain = chain.compose(v -> Poll.until(vertx, () -> delete.apply(name).map(true)
                  .recover(e -> {
                    if (e instanceof IllegalArgumentException) {
                      // gone already
                      return Future.succeededFuture(true);
                    }
                    return e instanceof IllegalStateException ? Future.succeededFuture(false) : Future.failedFuture(e);
                  }),
              ASK_AGAIN, REFUSED_FOR)
          .map(deleted -> {
            if (!deleted) {
              LOG.warn("lab: {} is still refused deletion after {}", name, REFUSED_FOR);
            }
            return (Void) null;
          })
          .recover(e -> {
            LOG.warn("lab: could not delete {}: {}", name, e.toString());
            return Future.succeededFuture();
          }));
    }
    return chain;
  }
}
