package dev.fanout.kafka.embedded;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * One node of the cluster, a combined KRaft controller and broker. A stopped server object cannot start
 * again, so {@link #start()} builds a fresh one on the same ports and folder each time.
 *
 * <p>Not thread-safe: {@link EmbeddedKafkaCluster} calls it under its own lock or from the threads it
 * starts and joins.
 */
final class KafkaNode {

  static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final NodePorts ports;
  private final Path dir;
  private final String clusterId;
  private final Map<String, String> settings;
  // owned by the thread calling start/stop, which the cluster serializes
  private KafkaRaftServer server;

  KafkaNode(NodePorts ports, Path dir, String clusterId, String voters, Map<String, String> extra) {
    this.ports = ports;
    this.dir = dir;
    this.clusterId = clusterId;
    Map<String, String> s = new HashMap<>();
    s.put("process.roles", "broker,controller");
    s.put("node.id", Integer.toString(ports.nodeId()));
    s.put("controller.quorum.voters", voters);
    s.put("listeners", "PLAINTEXT://127.0.0.1:" + ports.brokerPort()
        + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + ports.controllerPort());
    s.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports.brokerPort());
    s.put("controller.listener.names", CONTROLLER_LISTENER);
    s.put("inter.broker.listener.name", "PLAINTEXT");
    s.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    s.put("log.dirs", dir.toString());
    s.put("metadata.log.dir", dir.toString());
    s.putAll(extra);
    this.settings = Map.copyOf(s);
  }

  int nodeId() {
    return ports.nodeId();
  }

  boolean isRunning() {
    return server != null;
  }

  /** Formats the folder when new and starts the server; returns once the broker is started. */
  void start() {
    if (server != null) {
      return;
    }
    ClusterStorage.format(ports.nodeId(), clusterId, dir);
    KafkaRaftServer created = new KafkaRaftServer(new KafkaConfig(settings, false), Time.SYSTEM);
    try {
      created.startup();
    } catch (RuntimeException e) {
      created.shutdown();
      created.awaitShutdown();
      throw e;
    }
    server = created;
  }

  /** Shuts the server down and waits for it; does nothing when it is not running. */
  void stop() {
    KafkaRaftServer running = server;
    if (running == null) {
      return;
    }
    server = null;
    running.shutdown();
    running.awaitShutdown();
  }
}
