package dev.fanout.app;

import dev.fanout.compose.PartsFactory;
import dev.fanout.db.Database;
import dev.fanout.db.IsolatedSchema;
import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.lab.Lab;
import dev.fanout.lab.LabParts;
import dev.fanout.lab.LabPlan;
import dev.fanout.lab.LabResult;
import dev.fanout.lab.LabSettings;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.opensearch.OpenSearchEngine;
import dev.fanout.compose.SearchKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar app/target/fanout.jar lab [lab options] [app options]}: runs the lab ({@link Lab}) on the
 * parts the app would run on, prints its table and, with {@code --json}, writes its result as JSON. It takes
 * every app option through the shared {@link AppOptions} (the database, the backend, the search engine,
 * partitions, retries...); the plan's own options come from {@link LabSettings}, their one declaration, which
 * the lab's HTTP route reads too.
 *
 * <p>What the lab starts: the configured database (embedded under the data dir, or {@code --pg-url}), in
 * which it uses a database of its own, {@value #LAB_DATABASE}, with a schema per run; a fresh stream of the
 * backend, or for Kafka the servers given or else an embedded broker in a scratch directory; a search index
 * per run (Lucene in that scratch directory, or an OpenSearch index). Each lab opens a stream of its own and
 * closes it when it ends; each run deletes its topics, groups, index and schema. {@link Setup#close} stops a
 * running lab first, so that stopping mid-lab leaves nothing, then removes the scratch directory.
 */
@Command(name = "lab", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
    description = {"Runs one publish workload through three designs under each fault and prints what each lost:",
        "  1 = one group that indexes then counts; 2 = the publisher sends to two topics after its commit;",
        "  3 = Fanout (outbox, relay, independent groups), built as the app is built."})
public final class LabCommand implements Callable<Integer>, Cli.Checked {

  /** The database the lab's schemas go in, apart from the app's. */
  static final String LAB_DATABASE = "fanout_lab";

  @Mixin
  AppOptions app;

  @Option(names = "--json", defaultValue = "", description = "also write the result as JSON to this file")
  String json;

  @Spec
  CommandSpec spec;

  // set by check(), read by call(); both on the thread that runs the command line
  private Command command;

  /** A parsed command line. */
  record Command(LabPlan plan, FanoutOptions options, Path json) {
  }

  /** The lab's command line: this command with the plan's options of {@link LabSettings} added. */
  static CommandLine commandLine() {
    CommandLine line = new CommandLine(new LabCommand());
    for (LabSettings.Setting setting : LabSettings.ALL) {
      line.getCommandSpec().addOption(OptionSpec.builder("--" + setting.flag())
          .paramLabel("<" + setting.flag() + ">")
          .type(String.class)
          .defaultValue(setting.defaultValue())
          .description(setting.description())
          .build());
    }
    return line;
  }

  /** Parses the lab's command line as {@code fanout.jar lab} would, without running it. */
  static Command parse(String[] args, Map<String, String> env) {
    LabCommand lab = Cli.parse(commandLine(), args, env);
    return lab.command;
  }

  @Override
  public void check() {
    Map<String, String> plan = new LinkedHashMap<>();
    for (LabSettings.Setting setting : LabSettings.ALL) {
      plan.put(setting.flag(), spec.findOption("--" + setting.flag()).getValue());
    }
    String file = json == null ? "" : json.trim();
    command = new Command(LabSettings.fromFlags(plan), FanoutOptions.from(app),
        file.isEmpty() ? null : Path.of(file).toAbsolutePath());
  }

  @Override
  public Integer call() {
    Logs.configure(command.options().dataDir(), app.logLevel);
    return run(command, spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** The parts a lab runs on, started; {@link #close} stops them and removes the scratch directory. */
  public static final class Setup {
    private final Vertx vertx;
    private Database database;
    private EmbeddedKafkaCluster kafka;
    private Path scratch;
    private java.nio.channels.FileChannel scratchLock;
    private Lab lab;

    private Setup(Vertx vertx) {
      this.vertx = vertx;
    }

    public Lab lab() {
      return lab;
    }

    /** Stops a running lab (it drops what its run made and closes its stream), then what the setup started. */
    public Future<Void> close() {
      Future<Void> closed = lab == null ? Future.succeededFuture() : lab.stop().recover(e -> Future.succeededFuture());
      return closed
          .compose(v -> kafka == null ? Future.<Void>succeededFuture() : vertx.<Void>executeBlocking(() -> {
            kafka.close();
            return null;
          }))
          .recover(e -> Future.succeededFuture())
          .compose(v -> database == null ? Future.<Void>succeededFuture() : database.close())
          .recover(e -> Future.succeededFuture())
          .compose(v -> vertx.executeBlocking(() -> {
            if (scratchLock != null) {
              scratchLock.close();
            }
            deleteRecursively(scratch);
            return null;
          }));
    }
  }

  /** Starts what the lab needs, as {@link FanoutApp} would for the same options (see the class comment). */
  public static Future<Setup> setUp(Vertx vertx, FanoutOptions options) {
    Setup setup = new Setup(vertx);
    return build(vertx, options, setup,
        () -> Database.start(vertx, options.pgUrl(), options.dataDir().resolve("pg"), 2).map(database -> {
          setup.database = database;
          return database.connectOptions();
        }),
        options.kafkaBootstrap());
  }

  /**
   * The lab of a running app: runs on the app's database server (in {@value #LAB_DATABASE}, so the app's relay
   * keeps its lock), the app's backend with a stream of its own (with the app's Kafka servers, if any), and the
   * app's search engine with an index per run; its scratch directory is under the data dir.
   * {@link Setup#close} closes only what the lab opened.
   */
  static Future<Setup> inApp(Vertx vertx, FanoutOptions options, Database database, String servers) {
    return build(vertx, options, new Setup(vertx), () -> Future.succeededFuture(database.connectOptions()), servers);
  }

  // What both share: a scratch directory under the data dir, then the database server, the lab's database on
  // it, a stream of the backend (an embedded broker in the scratch directory when it needs servers and none
  // are given) and the lab; on a failure what was opened closes.
  private static Future<Setup> build(Vertx vertx, FanoutOptions options, Setup setup,
                                     Supplier<Future<PgConnectOptions>> server, String servers) {
    return vertx.executeBlocking(() -> {
          Files.createDirectories(options.dataDir());
          ScratchDirs.removeAbandoned(options.dataDir());
          Path scratch = Files.createTempDirectory(options.dataDir(), ScratchDirs.PREFIX);
          setup.scratchLock = ScratchDirs.lock(scratch);
          return scratch;
        })
        .compose(scratch -> {
          setup.scratch = scratch;
          return server.get();
        })
        .compose(serverOptions -> IsolatedSchema.database(vertx, serverOptions, LAB_DATABASE))
        // a first stream checks the backend and starts the embedded broker if one is needed; each lab opens its own
        .compose(labDatabase -> PartsFactory.openStream(vertx, options.backend(), servers,
                setup.scratch.resolve("kafka"))
            .compose(opened -> {
              setup.kafka = opened.broker();
              return opened.stream().close().map(opened.servers());
            })
            .map(reached -> {
              LabParts.Streams streams = () -> PartsFactory.openStream(vertx, options.backend(), reached, null)
                  .map(PartsFactory.OpenedStream::stream);
              PartsFactory.Settings app = options.parts(FanoutApp.EVENTS_TOPIC);
              setup.lab = new Lab(new LabParts(vertx, streams, labDatabase,
                  searchIndexes(vertx, app.search(), setup.scratch), app),
                  options.backend(), options.search().wireName());
              return setup;
            }))
        .recover(e -> setup.close().transform(ignored -> Future.failedFuture(e)));
  }

  private static LabParts.SearchIndexes searchIndexes(Vertx vertx, PartsFactory.SearchSettings search, Path scratch) {
    return new LabParts.SearchIndexes() {
      @Override
      public SearchEngine open(String run) {
        return PartsFactory.searchEngine(vertx, search, scratch.resolve("search").resolve(run), "fanout-" + run);
      }

      @Override
      public Future<Void> discard(String run) {
        if (search.kind() == SearchKind.OPENSEARCH) {
          // the run's engine is closed by now: a client of its own deletes the run's index
          OpenSearchEngine index = (OpenSearchEngine) PartsFactory.searchEngine(vertx, search, null, "fanout-" + run);
          return index.deleteIndex().eventually(index::close);
        }
        return vertx.executeBlocking(() -> {
          deleteRecursively(scratch.resolve("search").resolve(run));
          return null;
        });
      }

      @Override
      public Future<List<String>> runs() {
        if (search.kind() != SearchKind.OPENSEARCH) {
          // Lucene's indexes are in the scratch directory: a killed lab's goes with its directory
          return Future.succeededFuture(List.of());
        }
        OpenSearchEngine server = (OpenSearchEngine) PartsFactory.searchEngine(vertx, search, null, "fanout-lab-list");
        return server.indexesNamed("fanout-lab-*")
            .map(names -> names.stream().map(name -> name.substring("fanout-".length())).toList())
            .eventually(server::close);
      }
    };
  }

  // Runs a parsed lab; returns the process's exit code.
  private static int run(Command command, PrintWriter out, PrintWriter err) {
    Vertx vertx = Vertx.vertx();
    try {
      Setup setup = setUp(vertx, command.options()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      try {
        out.println("fanout lab: " + command.plan().faults().size() * command.plan().designs().size()
            + " runs of " + command.plan().publishes() + " publishes (backend " + command.options().backend()
            + ", search " + command.options().search() + ")");
        out.flush();
        LabResult result = setup.lab().run(command.plan()).toCompletionStage().toCompletableFuture().get();
        out.print(result.table());
        if (command.json() != null) {
          Files.writeString(command.json(), result.toJson().encodePrettily());
          out.println("fanout lab: wrote " + command.json());
        }
        return 0;
      } finally {
        setup.close().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      err.println("fanout lab: could not run: " + cause);
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
