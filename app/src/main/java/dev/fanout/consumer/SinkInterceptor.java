package dev.fanout.consumer;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Stands between a group and its sink on every attempt of a sink call, for example to inject faults in
 * tests and drills. {@link #NONE} lets every call through.
 */
public interface SinkInterceptor {

  SinkInterceptor NONE = new SinkInterceptor() {
    @Override
    public <T> Future<T> around(String sink, Supplier<Future<T>> call) {
      return call.get();
    }
  };

  /**
   * Runs {@code call} to {@code sink}, or fails it without running it (a {@link SinkUnavailable} counts as
   * the sink being down), or delays it; never blocks.
   */
  <T> Future<T> around(String sink, Supplier<Future<T>> call);
}
