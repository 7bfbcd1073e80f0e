package dev.fanout.stream;

import dev.fanout.stream.spi.StreamBackendProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds stream backends on the class path by name. */
public final class StreamBackends {

  private StreamBackends() {
  }

  /** The names of every backend on the class path, sorted. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (StreamBackendProvider provider : ServiceLoader.load(StreamBackendProvider.class)) {
      names.add(provider.name());
    }
    names.sort(null);
    return names;
  }

  /**
   * The provider called {@code name}.
   *
   * @throws IllegalArgumentException when none or several providers have that name; the message lists
   *                                  the known names
   */
  public static StreamBackendProvider provider(String name) {
    List<StreamBackendProvider> matches = new ArrayList<>();
    for (StreamBackendProvider provider : ServiceLoader.load(StreamBackendProvider.class)) {
      if (provider.name().equals(name)) {
        matches.add(provider);
      }
    }
    if (matches.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown stream backend '" + name + "'; known backends: " + String.join(", ", names()));
    }
    if (matches.size() > 1) {
      throw new IllegalArgumentException(
          "stream backend '" + name + "' is provided " + matches.size() + " times on the class path");
    }
    return matches.get(0);
  }

  /** Opens the backend called {@code name}; fails the future for an unknown name or bad configuration. */
  public static Future<EventStream> open(Vertx vertx, String name, JsonObject config) {
    try {
      return provider(name).open(vertx, config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
