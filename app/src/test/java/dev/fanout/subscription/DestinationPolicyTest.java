package dev.fanout.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.consumer.Failures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URL;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which webhook URLs and addresses subscriptions may use. Literals and localhost only: no network needed. */
class DestinationPolicyTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void refusesEveryLoopbackPrivateLinkLocalMulticastUnspecifiedAndSharedAddress() {
    DestinationPolicy policy = new DestinationPolicy(vertx, false);
    String[][] refused = {
        {"http://127.0.0.1/hook", "loopback"},
        {"http://localhost:8080/hook", "loopback"},
        {"http://10.1.2.3/", "private"},
        {"http://172.16.0.1/", "private"},
        {"https://192.168.1.1/", "private"},
        {"http://169.254.169.254/latest/meta-data/", "link-local"},
        {"http://[::1]:9000/", "loopback"},
        {"http://[fd00::1]/", "private"},
        {"http://[fe80::1]/", "link-local"},
        {"http://224.0.0.1/", "multicast"},
        {"http://0.0.0.0/", "unspecified"},
        {"http://[::]/", "unspecified"},
        {"http://100.64.0.1/", "carrier-grade NAT"},
        {"http://[::ffff:127.0.0.1]/", "loopback"},
        {"http://[::ffff:a9fe:a9fe]/", "link-local"},
        {"http://[64:ff9b::a00:1]/", "private"},
    };
    for (String[] example : refused) {
      assertThatThrownBy(() -> await(policy.check(example[0])))
          .as(example[0])
          .isInstanceOf(DestinationRefused.class)
          .hasMessageContaining("destination refused")
          .hasMessageContaining(example[1])
          .satisfies(e -> assertThat(Failures.isPermanent(e)).isTrue());
    }
  }

  @Test
  void acceptsAPublicAddressWithoutAskingTheNetwork() throws Exception {
    DestinationPolicy policy = new DestinationPolicy(vertx, false);
    assertThat(await(policy.check("https://93.184.216.34/hooks/fanout?x=1")).getHost()).isEqualTo("93.184.216.34");
    assertThat(await(policy.check("http://[2606:2800:220:1:248:1893:25c8:1946]/"))).isNotNull();
    // the edges of the ranges stay public
    for (String address : new String[] {"172.32.0.1", "100.128.0.1", "192.169.0.1", "11.0.0.1", "1.1.1.1"}) {
      assertThat(DestinationPolicy.refusalOf(InetAddress.getByName(address))).as(address).isEmpty();
    }
  }

  @Test
  void refusesUrlsThatAreNotAbsoluteHttpWithAHostNamingTheProblemNotTheUrl() {
    DestinationPolicy policy = new DestinationPolicy(vertx, true);
    String[][] bad = {
        {"ftp://93.184.216.34/file", "http or https"},
        {"/hooks/relative", "absolute"},
        {"hooks.example.com/x", "absolute"},
        {"http:///nohost", "host"},
        {"file:///etc/passwd", "http or https"},
        {"", "required"},
        {"http://user:s3cret@exa mple.com/", "valid URL"},
    };
    for (String[] example : bad) {
      assertThatThrownBy(() -> await(policy.check(example[0])))
          .as(example[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(example[1])
          .hasMessageNotContaining("s3cret");
    }
  }

  @Test
  void allowingPrivateDestinationsLiftsTheAddressRulesOnly() throws Exception {
    DestinationPolicy policy = new DestinationPolicy(vertx, true);
    for (String url : new String[] {"http://127.0.0.1:9000/hook", "http://localhost/", "http://10.1.2.3/",
        "http://169.254.169.254/", "http://[::1]/"}) {
      URL checked = await(policy.check(url));
      assertThat(checked.toString()).isEqualTo(url);
    }
    assertThat(policy.refusal(InetAddress.getByName("127.0.0.1"))).isEmpty();
    assertThat(new DestinationPolicy(vertx, false).refusal(InetAddress.getByName("127.0.0.1"))).isPresent();
    assertThatThrownBy(() -> await(policy.check("ftp://127.0.0.1/"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRefusalNamesTheHostButNeverTheCredentials() {
    DestinationPolicy policy = new DestinationPolicy(vertx, false);
    assertThatThrownBy(() -> await(policy.check("http://admin:hunter2@127.0.0.1:8080/hook")))
        .isInstanceOf(DestinationRefused.class)
        .hasMessageContaining("127.0.0.1")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("admin");
  }
}
