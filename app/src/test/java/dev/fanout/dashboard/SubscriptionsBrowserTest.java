package dev.fanout.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.HeadlessChromium;
import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Webhook subscriptions on the dashboard, in a real headless Chromium at 1400×900, against the real app and a
 * real receiver (a Vert.x HTTP server on 127.0.0.1 answering 204). With four subscriptions created through the
 * API and delivering: the first screen shows their four compact group boxes in the flow beside the counter
 * and search groups, every box (and the trace box and both charts) whole in the viewport, without a token.
 * In the Subscriptions panel below: the admin token typed into the page lists them; pause and resume through a
 * row's button change its status (the API agrees); the form refuses a bad name naming the field, then adds
 * one and shows its secret once; delete (confirmed) removes one (the API answers 404). The steps run in order
 * on one app and one browser; every wait is on a condition.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SubscriptionsBrowserTest {

  private static final int WIDTH = DashboardBrowserTest.WIDTH;
  private static final int HEIGHT = DashboardBrowserTest.HEIGHT;
  private static final List<String> NAMES = List.of("alpha", "bravo", "charlie", "delta");
  private static final int BLOGS = 3;
  /** The README's picture of the flow with subscriptions, in the repository's docs (the module's parent). */
  private static final Path README_SCREENSHOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
      .normalize().getParent().resolve("docs/img/dashboard-subscriptions.png");

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "2", "--subscriptions-allow-private");
  private final Vertx receiverVertx = Vertx.vertx();
  private final AtomicLong received = new AtomicLong();
  private HttpServer receiver;
  private String receiverUrl;
  private HeadlessChromium chromium;
  private ChromeDriver browser;

  @BeforeAll
  void start() throws Exception {
    receiver = RunningApp.await(receiverVertx.createHttpServer()
        .requestHandler(request -> request.body().onComplete(body -> {
          received.incrementAndGet();
          request.response().setStatusCode(204).end();
        }))
        .listen(0, "127.0.0.1"));
    receiverUrl = "http://127.0.0.1:" + receiver.actualPort() + "/hooks/fanout";
    for (String name : NAMES) {
      HttpResponse<String> created = app.admin("POST", "/api/admin/subscriptions",
          new JsonObject().put("name", name).put("url", receiverUrl + "?to=" + name).encode());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }
    for (int i = 0; i < BLOGS; i++) {
      app.publish("author-" + i, "a blog for the subscriptions " + i);
    }
    chromium = HeadlessChromium.start(WIDTH, HEIGHT);
    browser = chromium.driver();
    browser.get("http://127.0.0.1:" + app.app().port() + "/");
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      RunningApp.await(receiverVertx.close());
    }
  }

  /**
   * Waits until {@code check} passes (returns without an assertion failing), trying again every 250 ms; on
   * timeout the last failure is the cause.
   */
  private void waitFor(Duration atMost, ThrowingCheck check) {
    new WebDriverWait(browser, atMost, Duration.ofMillis(250))
        .ignoring(AssertionError.class)
        .until(driver -> {
          try {
            check.run();
            return true;
          } catch (AssertionError e) {
            throw e;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }

  private interface ThrowingCheck {
    void run() throws Exception;
  }

  private Object js(String script, Object... args) {
    return chromium.js(script, args);
  }

  private String text(String selector) {
    return chromium.text(selector);
  }

  private long count(String selector) {
    return chromium.count(selector);
  }

  private static String box(String group) {
    return "[data-group=\"" + group + "\"]";
  }

  private static String row(String name) {
    return "#subscription-list [data-subscription=\"" + name + "\"]";
  }

  private String cell(String name, String field) {
    return text(row(name) + " [data-field=\"" + field + "\"]");
  }

  private void click(String selector) {
    browser.findElement(By.cssSelector(selector)).click();
  }

  private void type(String id, String text) {
    WebElement input = browser.findElement(By.id(id));
    input.clear();
    input.sendKeys(text);
  }

  private HttpResponse<String> subscription(String name) throws Exception {
    return app.admin("GET", "/api/admin/subscriptions/" + name, null);
  }

  private String bodyText() {
    return (String) js("return document.body.innerText;");
  }

  @Test
  @Order(1)
  void theFirstScreenShowsEverySubscriptionGroupBesideTheCounterAndSearchWithoutScrolling() throws Exception {
    assertThat(js("return [window.innerWidth, window.innerHeight];")).isEqualTo(List.of((long) WIDTH, (long) HEIGHT));
    // every subscription has every blog, and the page shows them caught up
    waitFor(Duration.ofSeconds(90), () -> {
      assertThat(received.get()).isGreaterThanOrEqualTo((long) NAMES.size() * BLOGS);
      assertThat(js("return document.getElementById('conn').dataset.state;")).isEqualTo("live");
      for (String name : NAMES) {
        String group = "sub-" + name;
        assertThat(count(box(group))).as(group).isEqualTo(1);
        assertThat(text(box(group) + " [data-role=\"status\"]")).as(group).isEqualTo("OK");
        assertThat(text(box(group) + " [data-role=\"lag\"]")).as(group).isEqualTo("0");
        assertThat(text(box(group) + " [data-role=\"circuit\"]")).as(group).isEqualTo("CLOSED");
        assertThat(count("[data-strip=\"" + group + "\"] [data-partition]")).as(group).isEqualTo(2);
      }
      for (String group : List.of("counter", "search")) {
        assertThat(text(box(group) + " [data-role=\"status\"]")).as(group).isEqualTo("OK");
      }
      assertThat(count("#chart-lag canvas")).isPositive();
    });
    Path first = chromium.screenshot("subscriptions-1-first-screen");
    Files.createDirectories(README_SCREENSHOT.getParent());
    Files.copy(first, README_SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);

    assertThat(js("return [window.scrollX, window.scrollY];")).isEqualTo(List.of(0L, 0L));
    List<String> whole = new java.util.ArrayList<>(List.of(box("counter"), box("search"), "#node-topic", "#trace-id",
        "#trace-result", "#chart-lag", "#chart-throughput"));
    NAMES.forEach(name -> whole.add(box("sub-" + name)));
    for (String selector : whole) {
      Map<String, Number> r = chromium.rect(selector, false);
      assertThat(r).as(selector).isNotNull();
      assertThat(r.get("width").doubleValue()).as(selector + " width").isPositive();
      assertThat(r.get("height").doubleValue()).as(selector + " height").isPositive();
      assertThat(r.get("top").doubleValue()).as(selector + " top").isGreaterThanOrEqualTo(0);
      assertThat(r.get("left").doubleValue()).as(selector + " left").isGreaterThanOrEqualTo(0);
      assertThat(r.get("bottom").doubleValue()).as(selector + " bottom").isLessThanOrEqualTo(HEIGHT);
      assertThat(r.get("right").doubleValue()).as(selector + " right").isLessThanOrEqualTo(WIDTH);
    }
    // in the flow: right of the topic, below the built-in groups, the built-in boxes as wide as before
    double topicRight = chromium.rect("#node-topic", false).get("right").doubleValue();
    double builtInsBottom = Math.max(chromium.rect(box("counter"), false).get("bottom").doubleValue(),
        chromium.rect(box("search"), false).get("bottom").doubleValue());
    for (String name : NAMES) {
      Map<String, Number> r = chromium.rect(box("sub-" + name), false);
      assertThat(r.get("left").doubleValue()).as(name).isGreaterThan(topicRight);
      assertThat(r.get("top").doubleValue()).as(name).isGreaterThanOrEqualTo(builtInsBottom);
      assertThat(r.get("bottom").doubleValue()).as(name)
          .isLessThanOrEqualTo(chromium.rect("#flow", false).get("bottom").doubleValue());
    }
    // the controls, the panel among them, wait below the fold
    assertThat(chromium.rect("#controls", false).get("top").doubleValue()).isGreaterThanOrEqualTo(HEIGHT);
    // the public page shows no webhook URL
    assertThat(bodyText()).doesNotContain(receiverUrl);
  }

  @Test
  @Order(2)
  void theAdminTokenTypedIntoThePageListsTheSubscriptions() {
    assertThat(text("#subscriptions-state")).contains("enter the admin token");
    assertThat(count(row("alpha"))).isZero();
    type("admin-token", app.app().adminToken());
    waitFor(Duration.ofSeconds(30), () -> {
      assertThat(count("#subscription-list tbody tr")).isEqualTo(NAMES.size());
      for (String name : NAMES) {
        assertThat(cell(name, "name")).isEqualTo(name);
        assertThat(cell(name, "url")).isEqualTo(receiverUrl + "?to=" + name);
        assertThat(cell(name, "status")).isEqualTo("active");
        assertThat(cell(name, "paused")).isEqualTo("no");
        assertThat(cell(name, "lag")).isEqualTo("0");
        assertThat(cell(name, "delivered")).isEqualTo(String.valueOf(BLOGS));
        assertThat(cell(name, "lastDeliveryAt")).isNotEqualTo("–");
      }
    });
  }

  @Test
  @Order(3)
  void pausingAndResumingThroughARowsButtonChangesItsStatusAndTheApiAgrees() throws Exception {
    click(row("bravo") + " [data-action=\"pause\"]");
    waitFor(Duration.ofSeconds(30), () -> {
      assertThat(cell("bravo", "status")).isEqualTo("paused");
      assertThat(cell("bravo", "paused")).isEqualTo("yes");
      assertThat(count(row("bravo") + " [data-action=\"resume\"]")).isEqualTo(1);
    });
    JsonObject paused = app.json(subscription("bravo"));
    assertThat(paused.getBoolean("paused")).isTrue();
    assertThat(paused.getString("status")).isEqualTo("paused");
    assertThat(cell("alpha", "status")).isEqualTo("active");
    chromium.screenshot("subscriptions-2-paused");

    click(row("bravo") + " [data-action=\"resume\"]");
    waitFor(Duration.ofSeconds(30), () -> {
      assertThat(cell("bravo", "status")).isEqualTo("active");
      assertThat(cell("bravo", "paused")).isEqualTo("no");
    });
    assertThat(app.json(subscription("bravo")).getBoolean("paused")).isFalse();
  }

  @Test
  @Order(4)
  void theFormRefusesABadNameThenAddsOneAndShowsItsSecretOnce() throws Exception {
    type("subscription-name", "Not A Name");
    type("subscription-url", receiverUrl + "?to=echo");
    click("#subscription-add");
    waitFor(Duration.ofSeconds(15), () -> {
      assertThat(text("#subscription-error")).contains("name");
      assertThat(browser.findElement(By.id("subscription-name")).getAttribute("aria-invalid")).isEqualTo("true");
    });
    assertThat(subscription("not-a-name").statusCode()).isEqualTo(404);

    // the timestamp field shows with its choice only
    Select startFrom = new Select(browser.findElement(By.id("subscription-start")));
    assertThat(browser.findElement(By.id("subscription-timestamp")).isDisplayed()).isFalse();
    startFrom.selectByValue("timestamp");
    assertThat(browser.findElement(By.id("subscription-timestamp")).isDisplayed()).isTrue();
    startFrom.selectByValue("earliest");
    assertThat(browser.findElement(By.id("subscription-timestamp")).isDisplayed()).isFalse();
    type("subscription-name", "echo");
    type("subscription-max-in-flight", "8");
    type("subscription-timeout", "2000");
    click("#subscription-add");

    waitFor(Duration.ofSeconds(30), () -> assertThat(text("#subscription-secret [data-role=\"secret-value\"]"))
        .startsWith("whsec_"));
    String secret = text("#subscription-secret [data-role=\"secret-value\"]");
    assertThat(text("#subscription-secret")).contains("echo").contains("shown this once");
    assertThat(text("#subscription-error")).isEmpty();
    // shown once: in the box, not in the log, not in the list
    assertThat(bodyText().split(java.util.regex.Pattern.quote(secret), -1)).hasSize(2);
    assertThat(text("#log")).contains("add subscription echo").doesNotContain(secret);
    JsonObject echo = app.json(subscription("echo"));
    assertThat(echo.getString("url")).isEqualTo(receiverUrl + "?to=echo");
    assertThat(echo.getString("startFrom")).isEqualTo("earliest");
    assertThat(echo.getInteger("maxInFlight")).isEqualTo(8);
    assertThat(echo.getInteger("timeoutMs")).isEqualTo(2000);
    assertThat(echo.containsKey("secret")).isFalse();
    waitFor(Duration.ofSeconds(30), () -> {
      assertThat(cell("echo", "status")).isEqualTo("active");
      assertThat(cell("echo", "delivered")).isEqualTo(String.valueOf(BLOGS));
      assertThat(count(box("sub-echo"))).isEqualTo(1);
    });
    assertThat(app.json(app.admin("GET", "/api/admin/subscriptions", null)).getJsonArray("subscriptions")
        .stream().map(s -> ((JsonObject) s).getString("name")).toList()).contains("echo");
    js("document.getElementById('subscription-secret').scrollIntoView({block: 'center'});");
    chromium.screenshot("subscriptions-3-secret");

    click("#subscription-secret [data-action=\"hide-secret\"]");
    waitFor(Duration.ofSeconds(5), () -> assertThat(bodyText()).doesNotContain(secret));
    assertThat(browser.findElement(By.id("subscription-secret")).isDisplayed()).isFalse();
  }

  @Test
  @Order(5)
  void deletingThroughARowsButtonRemovesIt() throws Exception {
    click(row("delta") + " [data-action=\"delete\"]");
    new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
    assertThat(browser.switchTo().alert().getText()).contains("delta");
    browser.switchTo().alert().accept();
    waitFor(Duration.ofSeconds(60), () -> {
      assertThat(count(row("delta"))).isZero();
      assertThat(subscription("delta").statusCode()).isEqualTo(404);
      assertThat(count(box("sub-delta"))).isZero();
    });
    assertThat(text("#log")).contains("delta delete");
    assertThat(count("#subscription-list tbody tr")).isEqualTo(NAMES.size());
    assertThat(subscription("alpha").statusCode()).isEqualTo(200);
    chromium.screenshot("subscriptions-4-deleted");
  }
}
