package dev.fanout.subscription;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fanout.app.FanoutApp;
import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Without {@code --subscriptions-allow-private} a subscription to a loopback, link-local (cloud metadata),
 * private or IPv6 loopback address is refused naming the url and nothing is stored; with the flag the same
 * receiver is accepted, and the app warned at start that the check is lifted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscriptionAddressesTest {

  @RegisterExtension
  final RunningApp app = RunningApp.perClass();

  private Vertx vertx;
  private TestReceiver receiver;

  @BeforeAll
  void startReceiver() throws Exception {
    vertx = Vertx.vertx();
    receiver = TestReceiver.start(vertx);
  }

  @AfterAll
  void stopReceiver() throws Exception {
    receiver.close();
    await(vertx.close());
  }

  @Test
  void privateLoopbackAndLinkLocalAddressesAreRefusedAndNothingIsStored() throws Exception {
    // a live receiver listens on the port: the address, not an unreachable endpoint, is what is refused
    int port = Integer.parseInt(receiver.url().replaceAll(".*:(\\d+)/.*", "$1"));
    List<String> urls = List.of("http://127.0.0.1:" + port + "/", "http://localhost:" + port + "/",
        "http://169.254.169.254/", "http://[::1]:" + port + "/", "http://10.0.0.1/");
    int i = 0;
    for (String url : urls) {
      HttpResponse<String> refused = app.admin("POST", "/api/admin/subscriptions",
          new JsonObject().put("name", "private-" + i++).put("url", url).encode());
      assertThat(refused.statusCode()).as(url + ": " + refused.body()).isEqualTo(400);
      assertThat(app.json(refused).getString("error")).as(url).isEqualTo("invalid_field");
      assertThat(app.json(refused).getString("field")).as(url).isEqualTo("url");
    }
    assertThat(app.queryLong("SELECT count(*) FROM subscriptions")).isZero();
    assertThat(app.json(app.admin("GET", "/api/admin/subscriptions", null)).getJsonArray("subscriptions")).isEmpty();
  }

  @Test
  void theFlagLetsTheSameReceiverInAndIsWarnedOfAtStart() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(FanoutApp.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Level level = logger.getLevel();
    logger.setLevel(Level.WARN); // whatever another test left the root at
    logger.addAppender(lines);
    Path dir = Files.createTempDirectory("fanout-SubscriptionAddressesTest-allowed");
    try (RunningApp allowed = RunningApp.start(dir, "--subscriptions-allow-private")) {
      assertThat(lines.list).anySatisfy(line -> {
        assertThat(line.getLevel()).isEqualTo(Level.WARN);
        assertThat(line.getFormattedMessage()).contains("--subscriptions-allow-private");
      });
      HttpResponse<String> created = allowed.admin("POST", "/api/admin/subscriptions",
          new JsonObject().put("name", "loopback").put("url", receiver.url()).encode());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    } finally {
      logger.detachAppender(lines);
      logger.setLevel(level);
      RunningApp.deleteRecursively(dir);
    }
  }
}
