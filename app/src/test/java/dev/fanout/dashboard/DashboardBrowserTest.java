package dev.fanout.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fanout.app.HeadlessChromium;
import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless Chromium (the system's, driven by the system's chromedriver: nothing is
 * downloaded), in a 1400×900 viewport: the first screen shows the flow (publisher, outbox, the topic's
 * partitions, both groups), the trace box and both charts whole, without scrolling and without an admin
 * token; a search outage injected from the page makes the search group's lag rise and its status leave OK
 * while the counter stays OK; cleared, the lag drains to 0; members added beyond the partition count show
 * as idle; a blog title made of HTML shows as text; an event id pasted into the trace box shows the search
 * group pending during an outage and processed once it clears. Screenshots (of the first screen) land in
 * {@code target/screenshots/}; the one of a traced event pending during an outage (every part of the first
 * screen populated) is also the README's, {@code docs/img/dashboard.png}. The steps run in order on one app
 * and one browser.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

  static final int WIDTH = 1400;
  static final int HEIGHT = 900;
  /** What the first screen shows whole, without scrolling. */
  private static final List<String> FIRST_SCREEN = List.of("#flow", "#node-publisher", "#node-outbox",
      "#node-topic", "[data-strip=\"search\"]", "[data-group=\"counter\"]", "[data-group=\"search\"]", "#trace-id",
      "#trace-result", "#chart-lag", "#chart-lag canvas", "#chart-throughput", "#chart-throughput canvas");
  private static final String XSS_TITLE = "<img src=x onerror=alert(1)>";
  /** Publishes a second of the background load, at most for {@link #LOAD_LIMIT} or {@link #LOAD_MAX} blogs. */
  private static final int LOAD_RATE = 10;
  private static final Duration LOAD_LIMIT = Duration.ofMinutes(3);
  private static final long LOAD_MAX = LOAD_RATE * LOAD_LIMIT.toSeconds();
  /** The README's picture of the dashboard, in the repository's docs (the module's parent). */
  private static final Path README_SCREENSHOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
      .normalize().getParent().resolve("docs/img/dashboard.png");

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "2", "--retry-backoff-ms", "50", "--breaker-wait-ms", "2000");
  private HeadlessChromium chromium;
  private ChromeDriver browser;

  @BeforeAll
  void start() throws Exception {
    chromium = HeadlessChromium.start(WIDTH, HEIGHT);
    browser = chromium.driver();
    browser.get("http://127.0.0.1:" + app.app().port() + "/");
  }

  @AfterAll
  void stop() {
    // the app stops after this, as the extension's last step
    if (chromium != null) {
      chromium.close();
    }
  }

  private static ConditionFactory await(Duration atMost) {
    return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(250));
  }

  private Object js(String script, Object... args) {
    return chromium.js(script, args);
  }

  private String status(String group) {
    return (String) js("const g = document.querySelector('[data-group=\"' + arguments[0] + '\"]');"
        + " return g ? g.dataset.status : null;", group);
  }

  private long lag(String group) {
    Object lag = js("const g = document.querySelector('[data-group=\"' + arguments[0] + '\"]');"
        + " return g ? g.dataset.lag : null;", group);
    return lag == null ? -1 : Long.parseLong((String) lag);
  }

  private long count(String selector) {
    return chromium.count(selector);
  }

  private String text(String selector) {
    return chromium.text(selector);
  }

  private String attribute(String selector, String name) {
    return chromium.attribute(selector, name);
  }

  /** The element's bounding rectangle: top, bottom, left, right, width, height (CSS pixels of the viewport). */
  private Map<String, Number> rect(String selector) {
    return chromium.rect(selector, false);
  }

  private double edge(String selector, String side) {
    return rect(selector).get(side).doubleValue();
  }

  /** The trace's status of {@code eventId} in {@code group}, as its cell in the trace result says. */
  private String traceStatus(String eventId, String group) {
    return attribute("[data-trace-event=\"" + eventId + "\"] [data-trace-group=\"" + group + "\"]", "data-status");
  }

  private Path screenshot(String name) throws Exception {
    // the first screen, as a visitor sees it
    js("window.scrollTo(0, 0);");
    return chromium.screenshot(name);
  }

  private void click(String selector) {
    browser.findElement(By.cssSelector(selector)).click();
  }

  private void type(String id, String text) {
    WebElement input = browser.findElement(By.id(id));
    input.clear();
    input.sendKeys(text);
  }

  /** Puts {@code text} into an input as a paste does: the whole value at once, then one input event. */
  private void paste(String id, String text) {
    js("const input = document.getElementById(arguments[0]); input.focus(); input.value = arguments[1];"
        + " input.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste', data: arguments[1]}));",
        id, text);
  }

  @Test
  @Order(1)
  void theFirstScreenShowsTheFlowTheTraceBoxAndBothChartsWithoutScrollingOrAToken() throws Exception {
    assertThat(js("return [window.innerWidth, window.innerHeight];")).isEqualTo(List.of((long) WIDTH, (long) HEIGHT));
    assertThat(js("return document.getElementById('admin-token').value;")).isEqualTo("");
    await(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(js("return document.getElementById('conn').dataset.state;")).isEqualTo("live");
      for (String group : List.of("counter", "search")) {
        assertThat(count("[data-strip=\"" + group + "\"] [data-partition]")).isEqualTo(2);
        assertThat(count("[data-group=\"" + group + "\"] [data-member]")).isEqualTo(1);
        assertThat(status(group)).isEqualTo("OK");
        assertThat(text("[data-group=\"" + group + "\"] [data-role=\"circuit\"]")).isEqualTo("CLOSED");
      }
      assertThat(count("[data-topic=\"blog-events\"] [data-partition]")).isEqualTo(2);
      assertThat(text("#node-outbox [data-role=\"unsent\"]")).isEqualTo("0");
      assertThat(count("#chart-lag canvas")).isPositive();
      assertThat(count("#chart-throughput canvas")).isPositive();
    });

    // taken first: the evidence stays when an assertion below fails
    screenshot("1-first-screen");
    assertThat(js("return [window.scrollX, window.scrollY];")).isEqualTo(List.of(0L, 0L));
    for (String selector : FIRST_SCREEN) {
      Map<String, Number> r = rect(selector);
      assertThat(r).as(selector).isNotNull();
      assertThat(r.get("width").doubleValue()).as(selector + " width").isPositive();
      assertThat(r.get("height").doubleValue()).as(selector + " height").isPositive();
      assertThat(r.get("top").doubleValue()).as(selector + " top").isGreaterThanOrEqualTo(0);
      assertThat(r.get("left").doubleValue()).as(selector + " left").isGreaterThanOrEqualTo(0);
      assertThat(r.get("bottom").doubleValue()).as(selector + " bottom").isLessThanOrEqualTo(HEIGHT);
      assertThat(r.get("right").doubleValue()).as(selector + " right").isLessThanOrEqualTo(WIDTH);
    }
    // a picture read left to right: publisher, outbox, the topic's partitions, the groups
    assertThat(edge("#node-publisher", "right")).isLessThan(edge("#node-outbox", "left"));
    assertThat(edge("#node-outbox", "right")).isLessThan(edge("#node-topic", "left"));
    assertThat(edge("#node-topic", "right")).isLessThan(edge("[data-group=\"search\"]", "left"));
    assertThat(edge("#node-topic", "right")).isLessThan(edge("[data-group=\"counter\"]", "left"));
    // the controls wait below the fold
    assertThat(edge("#controls", "top")).isGreaterThanOrEqualTo(HEIGHT);

    // members by a short name, the long id on hover only
    String memberId = attribute("[data-group=\"search\"] [data-member]", "data-member");
    assertThat(memberId.length()).isGreaterThan(8);
    assertThat(text("[data-group=\"search\"] [data-member] b")).matches("m\\d+");
    assertThat(attribute("[data-group=\"search\"] [data-member]", "title")).contains(memberId);
    assertThat(attribute("[data-strip=\"search\"] [data-partition]", "title")).contains(memberId).contains("lag");
    assertThat((String) js("return document.body.innerText;")).doesNotContain(memberId);
  }

  @Test
  @Order(2)
  void aSearchOutageRaisesSearchLagWhileTheCounterStaysOkAndClearedItDrains() throws Exception {
    type("admin-token", app.app().adminToken());
    AtomicLong published = new AtomicLong();
    AtomicReference<Throwable> publishFailure = new AtomicReference<>();
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    long loadStarted = System.nanoTime();
    List<String> counterStatuses = new ArrayList<>();
    try {
      load.scheduleAtFixedRate(() -> {
        if (published.get() >= LOAD_MAX || System.nanoTime() - loadStarted > LOAD_LIMIT.toNanos()) {
          return;
        }
        try {
          app.publish("steady-" + published.get() % 20, "steady " + published.get());
          published.incrementAndGet();
        } catch (Throwable e) {
          publishFailure.compareAndSet(null, e);
        }
      }, 0, 1000 / LOAD_RATE, TimeUnit.MILLISECONDS);
      await(Duration.ofSeconds(30)).until(() -> published.get() >= LOAD_RATE * 3L);

      new Select(browser.findElement(By.id("fault-sink"))).selectByVisibleText("search");
      new Select(browser.findElement(By.id("fault-mode"))).selectByValue("outage");
      type("fault-seconds", "300");
      click("#fault-inject");
      await(Duration.ofSeconds(20)).until(() -> count("#faults li[data-fault=\"search-outage\"]") == 1);

      await(Duration.ofSeconds(90)).untilAsserted(() -> {
        counterStatuses.add(status("counter"));
        assertThat(lag("search")).isGreaterThan(30);
        assertThat(status("search")).isNotEqualTo("OK");
        assertThat(status("counter")).isEqualTo("OK");
      });
      long lagThen = lag("search");
      await(Duration.ofSeconds(30)).untilAsserted(() -> {
        counterStatuses.add(status("counter"));
        assertThat(lag("search")).isGreaterThan(lagThen);
      });
      assertThat(counterStatuses).as("the counter's status during the outage").containsOnly("OK");
      assertThat(lag("counter")).isLessThan(lag("search"));
      // the heat strip shows it too: the search group's cells carry its lag, the counter's stay low
      long searchCellsLag = (Long) js("return [...document.querySelectorAll('[data-strip=\"search\"] [data-partition]')]"
          + ".reduce((sum, c) => sum + Number(c.dataset.lag), 0);");
      assertThat(searchCellsLag).isGreaterThan(30);
      assertThat(text("[data-group=\"search\"] [data-role=\"circuit\"]")).isNotEqualTo("–");
      screenshot("2-search-outage");

      click("#fault-clear");
      await(Duration.ofSeconds(20)).until(() -> count("#faults li[data-fault]") == 0);
    } finally {
      // let a publish in flight finish: interrupting it would count as a failed publish
      load.shutdown();
      assertThat(load.awaitTermination(90, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(publishFailure.get()).isNull();
    await(Duration.ofSeconds(120)).untilAsserted(() -> {
      assertThat(lag("search")).isZero();
      assertThat(lag("counter")).isZero();
      assertThat(status("search")).isEqualTo("OK");
    });
    screenshot("3-drained");
  }

  @Test
  @Order(3)
  void membersBeyondThePartitionCountShowAsIdle() throws Exception {
    type("admin-token", app.app().adminToken());
    click("[data-controls=\"search\"] [data-action=\"add-member\"]");
    await(Duration.ofSeconds(30)).until(() -> count("[data-group=\"search\"] [data-member]") == 2);
    click("[data-controls=\"search\"] [data-action=\"add-member\"]");
    await(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(count("[data-group=\"search\"] [data-member]")).isEqualTo(3);
      assertThat(count("[data-group=\"search\"] [data-member][data-idle=\"true\"]")).isEqualTo(1);
      assertThat(text("[data-group=\"search\"] [data-member][data-idle=\"true\"]")).contains("IDLE");
      assertThat(text("[data-group=\"search\"] [data-role=\"idle-warning\"]")).contains("3 members for 2 partitions");
      assertThat(count("[data-group=\"counter\"] [data-member][data-idle=\"true\"]")).isZero();
    });
    // three short names, each for one long id
    assertThat((String) js("return [...document.querySelectorAll('[data-group=\"search\"] [data-member] b')]"
        + ".map(b => b.textContent).sort().join(',');")).matches("m\\d+,m\\d+,m\\d+");
    screenshot("4-idle-members");
  }

  @Test
  @Order(4)
  void aTitleMadeOfHtmlShowsAsText() throws Exception {
    // the admin token typed before mints the author's token; the blog is written as that author
    type("publish-count", "1");
    type("publish-author", "browser-author");
    type("publish-title", XSS_TITLE);
    click("#publish");
    await(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
        app.json(app.get("/api/authors/browser-author")).getLong("blogCount")).isEqualTo(1));
    await(Duration.ofSeconds(30)).untilAsserted(() -> assertThat((String) js(
        "return [...document.querySelectorAll('#log li')].map(e => e.textContent)"
            + ".filter(t => t.includes('browser-author')).join('\\n');"))
        .contains("published 1 blog(s) as browser-author").doesNotContain("failed").doesNotContain("could not mint"));
    await(Duration.ofSeconds(60)).untilAsserted(() -> assertThat((Boolean) js(
        "return [...document.querySelectorAll('#recent li .title')].some(e => e.textContent === arguments[0]);",
        XSS_TITLE)).isTrue());
    assertThat(count("#recent img")).isZero();
    assertThat(count("img")).isZero();
    try {
      String text = browser.switchTo().alert().getText();
      fail("the title ran as HTML: an alert said " + text);
    } catch (NoAlertPresentException expected) {
      // the title stayed text
    }
    screenshot("5-html-title-as-text");
  }

  @Test
  @Order(5)
  void aPastedEventIdShowsItsTraceTurnFromPendingToProcessedWhenAnOutageClears() throws Exception {
    assertThat(app.admin("POST", "/api/admin/faults", "{\"sink\": \"search\", \"mode\": \"outage\", \"seconds\": 300}")
        .statusCode()).isEqualTo(201);
    String eventId;
    String blogId;
    try {
      // the search group tries a first event and its circuit opens; the traced event, same author and so
      // same partition, then waits behind it
      HttpResponse<String> head = app.write("POST", "/api/blogs", "trace-author",
          new JsonObject().put("title", "tried while search is down").put("body", "the partition's head"));
      assertThat(head.statusCode()).isEqualTo(201);
      String headId = app.json(head).getString("eventId");
      await(Duration.ofSeconds(60)).until(() -> app.json(app.get("/api/events/" + headId)).getJsonArray("groups")
          .stream().map(g -> (JsonObject) g).anyMatch(g -> g.getString("group").equals("search")
              && g.getString("status").equals("retrying")));
      await(Duration.ofSeconds(60)).until(() -> app.figures("search").getString("circuit").equals("OPEN"));
      HttpResponse<String> published = app.write("POST", "/api/blogs", "trace-author",
          new JsonObject().put("title", "traced while search is down").put("body", "followed from the dashboard"));
      assertThat(published.statusCode()).isEqualTo(201);
      eventId = app.json(published).getString("eventId");
      blogId = app.json(published).getString("blogId");

      paste("trace-id", eventId);
      await(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(traceStatus(eventId, "counter")).isEqualTo("processed");
        assertThat(traceStatus(eventId, "search")).isEqualTo("pending");
        assertThat(text("[data-trace-event=\"" + eventId + "\"] [data-trace-group=\"search\"]"))
            .contains("1 before it");
        assertThat(attribute("#trace", "data-polling")).isEqualTo("true");
        // the flow marks where the event is: its partition in each group's strip, its status in each group
        assertThat(attribute("[data-strip=\"search\"] [data-traced]", "data-traced")).isEqualTo("pending");
        assertThat(attribute("[data-group=\"search\"] [data-role=\"traced\"] .chip", "data-status"))
            .isEqualTo("pending");
        // an open circuit with an event waiting is not OK, however recently the lag was 0
        assertThat(text("[data-group=\"search\"] [data-role=\"status\"]")).isEqualTo("OPEN");
        assertThat(text("[data-group=\"counter\"] [data-role=\"status\"]")).isEqualTo("OK");
      });
      for (String selector : List.of("#trace-id", "#trace-result", "[data-trace-event=\"" + eventId + "\"]")) {
        assertThat(edge(selector, "bottom")).as(selector + " bottom").isLessThanOrEqualTo(HEIGHT);
      }
      Path pending = screenshot("6-trace-pending");
      Files.createDirectories(README_SCREENSHOT.getParent());
      Files.copy(pending, README_SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      assertThat(app.admin("DELETE", "/api/admin/faults", null).statusCode()).isEqualTo(200);
    }
    await(Duration.ofSeconds(120)).untilAsserted(() -> {
      assertThat(traceStatus(eventId, "search")).isEqualTo("processed");
      assertThat(traceStatus(eventId, "counter")).isEqualTo("processed");
      assertThat(attribute("#trace", "data-polling")).as("polling stops once every group has it").isEqualTo("false");
      assertThat(text("#trace-state")).contains("every group has it");
    });
    screenshot("7-trace-processed");

    // a blog id shows the blog's events; an id that is neither says so
    paste("trace-id", blogId);
    await(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(count("[data-trace-event]")).isEqualTo(1);
      assertThat(traceStatus(eventId, "search")).isEqualTo("processed");
      assertThat(text("#trace-state")).startsWith("blog");
    });
    String unknown = UUID.randomUUID().toString();
    paste("trace-id", unknown);
    await(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(count("[data-trace-event]")).isZero();
      assertThat(text("#trace-state")).contains("no event and no blog").contains(unknown);
      assertThat(attribute("#trace", "data-polling")).isEqualTo("false");
    });
  }
}
