package dev.fanout.compose;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a composition opened, to be closed in reverse order of opening. A part that fails to close (or
 * whose close throws) is logged by its name and the rest still close. Safe to use from any thread.
 */
public final class OpenedParts {

  private static final Logger LOG = LoggerFactory.getLogger(OpenedParts.class);

  private record Part(String name, Supplier<Future<?>> close) {
  }

  private final Deque<Part> opened = new ArrayDeque<>(); // guarded by this

  /** Records a part just opened, with how to close it; returns the part. */
  public synchronized <T> T add(String name, T part, Supplier<Future<?>> close) {
    opened.push(new Part(name, close));
    return part;
  }

  /** The names of the parts still open, the newest first. */
  public synchronized List<String> names() {
    return opened.stream().map(Part::name).toList();
  }

  /**
   * Closes every part, the newest first, each after the previous one's close ended (whether it succeeded or
   * not). Succeeds with the names of the parts that failed to close, in closing order; never fails.
   */
  public Future<List<String>> closeAll() {
    List<Part> parts;
    synchronized (this) {
      parts = new ArrayList<>(opened);
      opened.clear();
    }
    List<String> failed = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Part part : parts) {
      chain = chain.transform(ignored -> {
        Future<?> closing;
        try {
          closing = part.close().get();
        } catch (RuntimeException e) {
          closing = Future.failedFuture(e);
        }
        return closing.transform(ar -> {
          if (ar.failed()) {
            failed.add(part.name());
            LOG.warn("closing {} failed; closing the rest", part.name(), ar.cause());
          }
          return Future.<Void>succeededFuture();
        });
      });
    }
    return chain.map(v -> List.copyOf(failed));
  }
}
