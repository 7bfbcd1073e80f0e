package dev.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Instances started together on one {@code --jwt-key-file} that does not exist yet: exactly one key is
 * made, and every instance signs and checks with it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SigningKeyFileTest {

  private static final int ROUNDS = 40;
  private static final int STARTS = 4;

  private final Vertx vertx = Vertx.vertx();
  private Path dir;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("fanout-key-race");
  }

  @AfterAll
  void stop() throws Exception {
    RunningApp.await(vertx.close());
    RunningApp.deleteRecursively(dir);
  }

  @Test
  void startsRacingOnOneFileEndWithOneKey() throws Exception {
    ExecutorService starts = Executors.newFixedThreadPool(STARTS);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        Path keyFile = dir.resolve("round-" + round).resolve("author-signing.key");
        CyclicBarrier together = new CyclicBarrier(STARTS);
        List<Future<String>> keys = new ArrayList<>();
        for (int i = 0; i < STARTS; i++) {
          Callable<String> start = () -> {
            together.await();
            return EmbeddedTokens.readOrCreate(keyFile);
          };
          keys.add(starts.submit(start));
        }
        Set<String> distinct = new HashSet<>();
        for (Future<String> key : keys) {
          distinct.add(key.get());
        }
        assertThat(distinct).as("keys read by %d starts racing in round %d", STARTS, round).hasSize(1);
        assertThat(Files.readString(keyFile).trim()).isEqualTo(distinct.iterator().next());
        try (var left = Files.list(keyFile.getParent())) {
          assertThat(left).as("no temporary file is left behind").containsExactly(keyFile);
        }
      }
    } finally {
      starts.shutdownNow();
    }
  }

  @Test
  void twoInstancesOnOneNewFileAcceptEachOthersTokens() throws Exception {
    Path keyFile = dir.resolve("two").resolve("author-signing.key");
    var first = EmbeddedTokens.open(vertx, keyFile);
    var second = EmbeddedTokens.open(vertx, keyFile);
    EmbeddedTokens a = RunningApp.await(first);
    EmbeddedTokens b = RunningApp.await(second);
    User byB = RunningApp.await(b.verifier().authenticate(new TokenCredentials(a.mint("ada", 60).token())));
    User byA = RunningApp.await(a.verifier().authenticate(new TokenCredentials(b.mint("bob", 60).token())));
    assertThat(byB.principal().getString("sub")).isEqualTo("ada");
    assertThat(byA.principal().getString("sub")).isEqualTo("bob");
  }
}
