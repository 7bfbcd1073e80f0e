package dev.fanout.stream.tck;

import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * What a backend's contract tests hand to the bases: how to open a fresh client of the backend under test.
 * A backend's test class passes one to its base's constructor and overrides nothing else.
 */
public interface BackendUnderTest {

  /** The name the backend registers with {@link StreamBackends}. */
  String name();

  /**
   * Opens a fresh client of the backend. Called once per test; the backend's servers (a broker) are
   * started once per class, or once for all classes, by whoever provides this.
   */
  Future<EventStream> openStream(Vertx vertx);
}
