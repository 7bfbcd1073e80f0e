package dev.fanout.app;

import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar app/target/fanout.jar [options]}: runs Fanout until it is stopped;
 * {@code java -jar app/target/fanout.jar lab [options]} runs the lab instead ({@link LabCommand}).
 */
public final class Main {

  /** A stop (SIGTERM) that takes longer than this is cut short; the JVM exits anyway. */
  static final long STOP_TIMEOUT_SECONDS = 20;

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("lab")) {
      System.exit(LabCommand.run(Arrays.copyOfRange(args, 1, args.length)));
      return;
    }
    if (Arrays.asList(args).contains("--help")) {
      System.out.println(FanoutOptions.usage());
      System.out.println("the lab (three designs under faults): java -jar app/target/fanout.jar lab --help");
      return;
    }
    FanoutOptions options;
    try {
      options = FanoutOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("fanout: " + e.getMessage());
      System.err.println(FanoutOptions.usage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    CountDownLatch started = new CountDownLatch(1);
    FanoutApp[] app = new FanoutApp[1];
    FanoutApp.start(vertx, options).onComplete(ar -> {
      if (ar.failed()) {
        System.err.println("fanout: could not start: " + ar.cause().getMessage());
        vertx.close();
        System.exit(1);
      }
      app[0] = ar.result();
      String base = "http://" + options.host() + ":" + app[0].port();
      System.out.println("Fanout " + Version.current() + " is up (backend " + options.backend() + ", "
          + options.partitions() + " partitions)");
      System.out.println("  dashboard  " + base + "/");
      System.out.println("  publish    POST " + base + "/api/blogs");
      System.out.println("  API        " + base + "/api/info, " + base + "/api/groups, " + base + "/api/topics");
      System.out.println("  health     " + base + "/health/live, " + base + "/health/ready");
      System.out.println("  metrics    " + base + "/metrics");
      System.out.println("  data       " + options.dataDir());
      if (options.adminToken() == null) {
        System.out.println("  admin      generated token for this run (set --admin-token or FANOUT_ADMIN_TOKEN to choose one):");
        System.out.println("             Authorization: Bearer " + app[0].adminToken());
      }
      FanoutOptions.Auth auth = options.auth();
      if (!auth.tokens()) {
        System.err.println("fanout: WARNING: --auth none: writes are not authenticated; anyone who can reach "
            + base + " can publish, change or delete as any author. Only run this behind a gateway that "
            + "authenticates.");
      } else if (auth.jwksUrl() != null) {
        System.out.println("  authors    writes need a token from the identity provider (keys: " + auth.jwksUrl() + ")");
      } else {
        System.out.println("  authors    writes need an author token; mint one with the admin token:");
        System.out.println("             curl -X POST -H 'Authorization: Bearer <admin token>' " + base
            + "/api/admin/authors/<authorId>/tokens");
      }
      started.countDown();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (app[0] != null) {
        long start = System.nanoTime();
        try {
          app[0].stop().toCompletionStage().toCompletableFuture().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
          System.out.println("fanout: stopped cleanly in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (Exception e) {
          System.err.println("fanout: unclean stop: " + e.getMessage());
        }
      }
      vertx.close();
    }, "fanout-shutdown"));
    started.await();
  }
}
