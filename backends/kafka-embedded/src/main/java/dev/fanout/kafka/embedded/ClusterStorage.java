package dev.fanout.kafka.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/** The on-disk side of the cluster: formatting a node's folder, reading back the cluster id, cleanup. */
final class ClusterStorage {

  private ClusterStorage() {
  }

  /** The cluster id recorded by an earlier run under {@code dataDir}, if any node was formatted there. */
  static Optional<String> clusterId(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      return Optional.empty();
    }
    try (Stream<Path> children = Files.list(dataDir)) {
      for (Path meta : children.map(c -> c.resolve("meta.properties")).filter(Files::isRegularFile).toList()) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
          props.load(in);
        }
        String id = props.getProperty("cluster.id");
        if (id != null) {
          return Optional.of(id);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Formats {@code nodeDir} as the log and metadata directory of node {@code nodeId}, the way
   * {@code kafka-storage.sh format} does; a folder formatted before is left as it is.
   */
  static void format(int nodeId, String clusterId, Path nodeDir) {
    try {
      Files.createDirectories(nodeDir);
      new Formatter()
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .setNodeId(nodeId)
          .setClusterId(clusterId)
          .setDirectories(java.util.List.of(nodeDir.toString()))
          .setMetadataLogDirectory(nodeDir.toString())
          .setControllerListenerName(KafkaNode.CONTROLLER_LISTENER)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setIgnoreFormatted(true)
          .run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("could not format Kafka storage in " + nodeDir + ": " + e.getMessage(), e);
    }
  }

  /** Deletes {@code dir} and everything below it; best effort. */
  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // a file still held open by a stopping log is removed with the JVM's temp files anyway
        }
      });
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }
}
