package dev.fanout.app;

import dev.fanout.db.Database;
import dev.fanout.db.IsolatedSchema;
import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.lab.Lab;
import dev.fanout.lab.LabParts;
import dev.fanout.lab.LabPlan;
import dev.fanout.lab.LabResult;
import dev.fanout.lab.LabSettings;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.lucene.LuceneSearchEngine;
import dev.fanout.search.opensearch.OpenSearchEngine;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.spi.StreamBackendProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code java -jar app/target/fanout.jar lab [--publishes N] [--faults LIST] [--backend memory|kafka]
 * [--json FILE] [app options]}: runs the lab ({@link Lab}) on the parts the app would run on, prints its table
 * and, with {@code --json}, writes its result as JSON. Every app option is understood (the database, the
 * backend, the search engine, partitions, retries...); the lab's own are listed in {@link #LAB_OPTIONS}.
 *
 * <p>What the lab starts: the configured database (embedded under the data dir, or {@code --pg-url}), in
 * which it uses a database of its own, {@value #LAB_DATABASE}, with a schema per run; a fresh in-memory
 * stream, or for Kafka the servers given or else an embedded broker in a scratch directory; a Lucene index
 * per run in that scratch directory (or an OpenSearch index per run). The scratch directory and the schemas
 * are removed at the end.
 */
public final class LabCommand {

  /** The database the lab's schemas go in, apart from the app's. */
  static final String LAB_DATABASE = "fanout_lab";

  /** The lab's own options: the plan's ({@link LabSettings}), then where to write the JSON. */
  static final List<FanoutOptions.Option> LAB_OPTIONS = Stream.concat(
      LabSettings.ALL.stream().map(s -> new FanoutOptions.Option(s.flag(), s.defaultValue(), s.description())),
      Stream.of(new FanoutOptions.Option("json", "", "also write the result as JSON to this file"))).toList();

  /** A parsed command line. */
  record Command(LabPlan plan, FanoutOptions options, Path json) {
  }

  private LabCommand() {
  }

  /** Reads the lab's options (the plan's through {@link LabSettings}) and hands the others to {@link FanoutOptions#parse}. */
  static Command parse(String[] args, Map<String, String> env) {
    Map<String, String> lab = new java.util.LinkedHashMap<>();
    List<String> appArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.startsWith("--") ? arg.substring(2) : null;
      String inline = null;
      if (name != null && name.indexOf('=') >= 0) {
        inline = name.substring(name.indexOf('=') + 1);
        name = name.substring(0, name.indexOf('='));
      }
      String flag = name;
      if (flag == null || LAB_OPTIONS.stream().noneMatch(o -> o.flag().equals(flag))) {
        appArgs.add(arg);
        continue;
      }
      if (inline == null && i + 1 >= args.length) {
        throw new IllegalArgumentException("option --" + name + " needs a value");
      }
      lab.put(name, inline != null ? inline : args[++i]);
    }
    FanoutOptions options = FanoutOptions.parse(appArgs.toArray(String[]::new), env);
    LabPlan plan = LabSettings.fromFlags(lab);
    String json = lab.getOrDefault("json", "").trim();
    return new Command(plan, options, json.isEmpty() ? null : Path.of(json).toAbsolutePath());
  }

  /** The usage text of the lab. */
  static String usage() {
    List<String> lines = new ArrayList<>();
    lines.add("usage: java -jar app/target/fanout.jar lab [lab options] [app options]");
    lines.add("runs one publish workload through three designs under each fault and prints what each lost:");
    lines.add("  1 = one group that indexes then counts; 2 = the publisher sends to two topics after its commit;");
    lines.add("  3 = Fanout (outbox, relay, independent groups)");
    for (FanoutOptions.Option option : LAB_OPTIONS) {
      lines.add(String.format("  --%-22s %-10s %s", option.flag(), option.defaultValue(), option.description()));
    }
    lines.add("app options (--backend, --pg-url, --data-dir, --search, --partitions, --retry-*, --breaker-wait-ms...) "
        + "as in: java -jar app/target/fanout.jar --help");
    return String.join(System.lineSeparator(), lines);
  }

  /** The parts a lab runs on, started; {@link #close} stops them and removes the scratch directory. */
  public static final class Setup {
    private final Vertx vertx;
    private Database database;
    private EventStream stream;
    private EmbeddedKafkaCluster kafka;
    private Path scratch;
    private Lab lab;

    private Setup(Vertx vertx) {
      this.vertx = vertx;
    }

    public Lab lab() {
      return lab;
    }

    public Future<Void> close() {
      Future<Void> closed = stream == null ? Future.succeededFuture() : stream.close().recover(e -> Future.succeededFuture());
      return closed
          .compose(v -> kafka == null ? Future.<Void>succeededFuture() : vertx.<Void>executeBlocking(() -> {
            kafka.close();
            return null;
          }))
          .recover(e -> Future.succeededFuture())
          .compose(v -> database == null ? Future.<Void>succeededFuture() : database.close())
          .recover(e -> Future.succeededFuture())
          .compose(v -> vertx.executeBlocking(() -> {
            deleteRecursively(scratch);
            return null;
          }));
    }
  }

  /** Starts what the lab needs, as {@link FanoutApp} would for the same options (see the class comment). */
  public static Future<Setup> setUp(Vertx vertx, FanoutOptions options) {
    Setup setup = new Setup(vertx);
    StreamBackendProvider provider = StreamBackends.provider(options.backend());
    return build(vertx, options, setup,
        () -> Database.start(vertx, options.pgUrl(), options.dataDir().resolve("pg"), 2).map(database -> {
          setup.database = database;
          return database.connectOptions();
        }),
        () -> servers(vertx, options, provider, setup));
  }

  /**
   * The lab of a running app: runs on the app's database server (in {@value #LAB_DATABASE}, so the app's relay
   * keeps its lock), the app's backend with a stream of its own (with the app's Kafka servers, if any), and the
   * app's search engine with an index per run; its scratch directory is under the data dir.
   * {@link Setup#close} closes only what the lab opened.
   */
  static Future<Setup> inApp(Vertx vertx, FanoutOptions options, Database database, String servers) {
    return build(vertx, options, new Setup(vertx), () -> Future.succeededFuture(database.connectOptions()),
        () -> Future.succeededFuture(servers));
  }

  // What both share: a scratch directory under the data dir, then the database server, the lab's database on
  // it, the stream servers, a stream of the backend on them and the lab; on a failure what was opened closes.
  private static Future<Setup> build(Vertx vertx, FanoutOptions options, Setup setup,
                                     Supplier<Future<PgConnectOptions>> server, Supplier<Future<String>> servers) {
    StreamBackendProvider provider = StreamBackends.provider(options.backend());
    return vertx.executeBlocking(() -> {
          Files.createDirectories(options.dataDir());
          return Files.createTempDirectory(options.dataDir(), "lab-");
        })
        .compose(scratch -> {
          setup.scratch = scratch;
          return server.get();
        })
        .compose(serverOptions -> IsolatedSchema.database(vertx, serverOptions, LAB_DATABASE))
        .compose(labDatabase -> servers.get()
            .compose(addresses -> provider.open(vertx, addresses == null ? new JsonObject()
                : new JsonObject().put(provider.serversKey(), addresses)))
            .map(stream -> {
              setup.stream = stream;
              setup.lab = new Lab(new LabParts(vertx, stream, labDatabase, searchIndexes(vertx, options, setup.scratch),
                  options.resilience(), options.partitions(), options.replicationFactor(), options.consumersPerGroup()),
                  options.backend(), options.search());
              return setup;
            }))
        .recover(e -> setup.close().transform(ignored -> Future.failedFuture(e)));
  }

  // the servers given; else, for a backend that needs some, an embedded broker in the scratch directory
  private static Future<String> servers(Vertx vertx, FanoutOptions options, StreamBackendProvider provider,
                                        Setup setup) {
    if (provider.serversKey() == null) {
      return Future.succeededFuture(null);
    }
    if (options.kafkaBootstrap() != null) {
      return Future.succeededFuture(options.kafkaBootstrap());
    }
    return vertx.executeBlocking(() -> {
      EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(
          EmbeddedKafkaCluster.Config.of(1).withLogDir(setup.scratch.resolve("kafka")));
      cluster.start();
      setup.kafka = cluster;
      return cluster.bootstrapServers();
    });
  }

  private static LabParts.SearchIndexes searchIndexes(Vertx vertx, FanoutOptions options, Path scratch) {
    return new LabParts.SearchIndexes() {
      @Override
      public SearchEngine open(String run) {
        return switch (options.search()) {
          case "lucene" -> new LuceneSearchEngine(vertx, scratch.resolve("search").resolve(run),
              options.luceneRefreshMillis());
          case "opensearch" -> new OpenSearchEngine(vertx, options.opensearchUrl(), "fanout-" + run,
              options.opensearchRefreshMillis());
          default -> throw new IllegalArgumentException("unknown search engine " + options.search());
        };
      }

      @Override
      public Future<Void> discard(String run) {
        if (options.search().equals("opensearch")) {
          // the run's engine is closed by now: a client of its own deletes the run's index
          OpenSearchEngine index = new OpenSearchEngine(vertx, options.opensearchUrl(), "fanout-" + run,
              options.opensearchRefreshMillis());
          return index.deleteIndex().eventually(index::close);
        }
        return vertx.executeBlocking(() -> {
          deleteRecursively(scratch.resolve("search").resolve(run));
          return null;
        });
      }
    };
  }

  /** Runs the command line after {@code lab}; returns the process's exit code. */
  static int run(String[] args) {
    if (List.of(args).contains("--help")) {
      System.out.println(usage());
      return 0;
    }
    Command command;
    try {
      command = parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("fanout lab: " + e.getMessage());
      System.err.println(usage());
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    try {
      Setup setup = setUp(vertx, command.options()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      try {
        System.out.println("fanout lab: " + command.plan().faults().size() * command.plan().designs().size()
            + " runs of " + command.plan().publishes() + " publishes (backend " + command.options().backend()
            + ", search " + command.options().search() + ")");
        LabResult result = setup.lab().run(command.plan()).toCompletionStage().toCompletableFuture().get();
        System.out.print(result.table());
        if (command.json() != null) {
          Files.writeString(command.json(), result.toJson().encodePrettily());
          System.out.println("fanout lab: wrote " + command.json());
        }
        return 0;
      } finally {
        setup.close().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      System.err.println("fanout lab: could not run: " + cause);
      return 1;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
