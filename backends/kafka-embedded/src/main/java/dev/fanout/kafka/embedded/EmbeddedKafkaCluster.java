package dev.fanout.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka cluster running inside this JVM: one or several nodes, each a combined KRaft controller
 * and broker, listening on 127.0.0.1 only. Made for tests and for running the app without a cluster.
 *
 * <p>Every node votes in the controller quorum, so a cluster of three keeps working with one node
 * stopped. With a {@linkplain Config#logDir() log directory} the data survive a restart of the cluster;
 * without one a temporary directory is used and deleted by {@link #close()}.
 *
 * <p>Threading: {@link #start()}, {@link #stopNode}, {@link #startNode} and {@link #close()} block for
 * seconds; never call them on an event loop (use {@code executeBlocking}). They are synchronized, so
 * concurrent calls run one after another; {@link #bootstrapServers()} may be called from any thread.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

  /**
   * How to run the cluster.
   *
   * @param nodes          how many nodes, at least 1
   * @param logDir         where the nodes keep their data (one sub-folder per node), reused across
   *                       restarts; {@code null} for a temporary folder removed on close
   * @param brokerSettings extra broker settings applied to every node, overriding the defaults
   * @param startTimeout   how long {@link #start()} waits for every node to serve requests
   */
  public record Config(int nodes, Path logDir, Map<String, String> brokerSettings, Duration startTimeout) {

    public Config {
      if (nodes < 1) {
        throw new IllegalArgumentException("nodes must be at least 1, was " + nodes);
      }
      brokerSettings = Map.copyOf(brokerSettings);
    }

    /** {@code nodes} nodes in a temporary folder, default settings, a 60 s start timeout. */
    public static Config of(int nodes) {
      return new Config(nodes, null, Map.of(), Duration.ofSeconds(60));
    }

    public Config withLogDir(Path value) {
      return new Config(nodes, value, brokerSettings, startTimeout);
    }

    public Config withBrokerSettings(Map<String, String> value) {
      return new Config(nodes, logDir, value, startTimeout);
    }
  }

  private final Config config;
  // guarded by this
  private final List<KafkaNode> nodes = new ArrayList<>();
  // guarded by this
  private Path dataDir;
  // guarded by this
  private boolean temporary;
  // written under this before nodes start, read by any thread
  private volatile String bootstrapServers;

  public EmbeddedKafkaCluster(Config config) {
    this.config = config;
  }

  /** Starts a cluster of {@code nodes} nodes in a temporary folder; blocks until it serves requests. */
  public static EmbeddedKafkaCluster start(int nodes) {
    EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(Config.of(nodes));
    cluster.start();
    return cluster;
  }

  /**
   * Formats the storage when needed, starts every node in parallel and waits until all of them are
   * registered with the controller quorum and answer requests.
   *
   * @throws IllegalStateException when the cluster is already started or does not come up in time;
   *                               nodes already started are stopped again
   */
  public synchronized void start() {
    if (!nodes.isEmpty()) {
      throw new IllegalStateException("the cluster is already started");
    }
    try {
      temporary = config.logDir() == null;
      dataDir = temporary ? Files.createTempDirectory("fanout-kafka-") : config.logDir();
      Files.createDirectories(dataDir);
      String clusterId = ClusterStorage.clusterId(dataDir).orElseGet(() -> Uuid.randomUuid().toString());
      List<NodePorts> ports = NodePorts.pickFree(config.nodes());
      String voters = ports.stream()
          .map(p -> p.nodeId() + "@127.0.0.1:" + p.controllerPort())
          .collect(Collectors.joining(","));
      for (NodePorts p : ports) {
        nodes.add(new KafkaNode(p, dataDir.resolve("node-" + p.nodeId()), clusterId, voters,
            brokerSettings()));
      }
      bootstrapServers = ports.stream()
          .map(p -> "127.0.0.1:" + p.brokerPort())
          .collect(Collectors.joining(","));
      inParallel(nodes, KafkaNode::start);
      awaitBrokers(config.nodes());
    } catch (IOException e) {
      stopQuietly();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      stopQuietly();
      throw e;
    }
  }

  /** The brokers' addresses, {@code 127.0.0.1:port,...}, every node including stopped ones. */
  public String bootstrapServers() {
    String value = bootstrapServers;
    if (value == null) {
      throw new IllegalStateException("the cluster is not started");
    }
    return value;
  }

  /** How many nodes the cluster has, running or not. */
  public int size() {
    return config.nodes();
  }

  /** True when node {@code index} is running. */
  public synchronized boolean isRunning(int index) {
    return node(index).isRunning();
  }

  /**
   * Stops node {@code index} with a controlled shutdown (its partitions' leadership moves first) and
   * waits until it is down. Its data stay on disk for {@link #startNode}.
   */
  public synchronized void stopNode(int index) {
    node(index).stop();
  }

  /** Starts a stopped node again, on the same ports and data, and waits until it serves requests. */
  public synchronized void startNode(int index) {
    node(index).start();
    awaitBrokers((int) nodes.stream().filter(KafkaNode::isRunning).count());
  }

  /** Stops every node in parallel and, for a temporary cluster, deletes its data. Idempotent. */
  @Override
  public synchronized void close() {
    stopQuietly();
  }

  private void stopQuietly() {
    // In parallel: a node stopping alone waits for a quorum that its peers, stopping after it, no longer form.
    try {
      inParallel(nodes, KafkaNode::stop);
    } finally {
      nodes.clear();
      if (temporary && dataDir != null) {
        ClusterStorage.deleteRecursively(dataDir);
        dataDir = null;
      }
    }
  }

  private KafkaNode node(int index) {
    if (nodes.isEmpty()) {
      throw new IllegalStateException("the cluster is not started");
    }
    if (index < 0 || index >= nodes.size()) {
      throw new IllegalArgumentException("node index must be in [0, " + nodes.size() + "), was " + index);
    }
    return nodes.get(index);
  }

  private Map<String, String> brokerSettings() {
    int n = config.nodes();
    String internalReplicas = Integer.toString(Math.min(3, n));
    String internalMinIsr = Integer.toString(Math.min(2, n));
    Map<String, String> settings = new java.util.HashMap<>();
    // Internal topics must fit the cluster: with a replication factor above the node count, consumer
    // groups silently receive nothing.
    settings.put("offsets.topic.replication.factor", internalReplicas);
    settings.put("offsets.topic.num.partitions", "5");
    settings.put("transaction.state.log.replication.factor", internalReplicas);
    settings.put("transaction.state.log.min.isr", internalMinIsr);
    settings.put("transaction.state.log.num.partitions", "5");
    settings.put("share.coordinator.state.topic.replication.factor", internalReplicas);
    settings.put("share.coordinator.state.topic.min.isr", internalMinIsr);
    settings.put("group.initial.rebalance.delay.ms", "0");
    settings.put("num.partitions", "1");
    settings.put("default.replication.factor", "1");
    settings.put("auto.create.topics.enable", "false");
    settings.putAll(config.brokerSettings());
    return settings;
  }

  private void awaitBrokers(int expected) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    long deadline = System.nanoTime() + config.startTimeout().toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          int live = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
          if (live >= expected) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          // not ready yet: the brokers are still registering
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Kafka cluster did not report " + expected + " brokers within "
              + config.startTimeout());
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
    }
  }

  private static void inParallel(List<KafkaNode> nodes, java.util.function.Consumer<KafkaNode> action) {
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (KafkaNode node : nodes) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      Thread thread = new Thread(() -> {
        try {
          action.accept(node);
          done.complete(null);
        } catch (Throwable t) {
          done.completeExceptionally(t);
        }
      }, "embedded-kafka-node-" + node.nodeId());
      thread.setDaemon(true);
      thread.start();
      running.add(done);
    }
    try {
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
