package dev.fanout.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fanout.app.RunningApp;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless Chromium (the system's, driven by the system's chromedriver: nothing is
 * downloaded): both groups and their partitions appear; a search outage injected from the page makes the
 * search group's lag rise and its status leave OK while the counter stays OK; cleared, the lag drains to
 * 0; members added beyond the partition count show as idle; a blog title made of HTML shows as text.
 * Screenshots land in {@code target/screenshots/}. The steps run in order on one app and one browser.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String XSS_TITLE = "<img src=x onerror=alert(1)>";
  /** Publishes a second of the background load, at most for {@link #LOAD_LIMIT} or {@link #LOAD_MAX} blogs. */
  private static final int LOAD_RATE = 10;
  private static final Duration LOAD_LIMIT = Duration.ofMinutes(3);
  private static final long LOAD_MAX = LOAD_RATE * LOAD_LIMIT.toSeconds();

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "2", "--retry-backoff-ms", "50", "--breaker-wait-ms", "2000");
  private ChromeDriverService service;
  private ChromeDriver browser;
  private final Path screenshots = Path.of(System.getProperty("basedir", "."), "target", "screenshots");

  @BeforeAll
  void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail("the dashboard's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
          + "; install them with: apt-get install chromium chromium-driver");
    }
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--window-size=1400,2200");
    // an alert must stay open for the test to see it, not be dismissed by the driver
    options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
    browser = new ChromeDriver(service, options);
    browser.get("http://127.0.0.1:" + app.app().port() + "/");
    Files.createDirectories(screenshots);
  }

  @AfterAll
  void stop() {
    // the app stops after this, as the extension's last step
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.stop();
    }
  }

  private static ConditionFactory await(Duration atMost) {
    return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(250));
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
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
    return (Long) js("return document.querySelectorAll(arguments[0]).length;", selector);
  }

  private void screenshot(String name) throws Exception {
    File file = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(file.toPath(), screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private void click(String selector) {
    browser.findElement(By.cssSelector(selector)).click();
  }

  private void type(String id, String text) {
    WebElement input = browser.findElement(By.id(id));
    input.clear();
    input.sendKeys(text);
  }

  @Test
  @Order(1)
  void thePageShowsBothGroupsWithTheirPartitions() throws Exception {
    await(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(js("return document.getElementById('conn').dataset.state;")).isEqualTo("live");
      for (String group : List.of("counter", "search")) {
        assertThat(count("[data-group=\"" + group + "\"] tr[data-partition]")).isEqualTo(2);
        assertThat(count("[data-group=\"" + group + "\"] tr[data-member]")).isEqualTo(1);
        assertThat(status(group)).isEqualTo("OK");
      }
      assertThat(count("table[data-topic=\"blog-events\"] tr[data-partition]")).isEqualTo(2);
      assertThat(count("#chart-lag canvas")).isPositive();
    });
    screenshot("1-groups");
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
    click("[data-group=\"search\"] [data-action=\"add-member\"]");
    await(Duration.ofSeconds(30)).until(() -> count("[data-group=\"search\"] tr[data-member]") == 2);
    click("[data-group=\"search\"] [data-action=\"add-member\"]");
    await(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(count("[data-group=\"search\"] tr[data-member]")).isEqualTo(3);
      assertThat(count("[data-group=\"search\"] tr[data-member][data-idle=\"true\"]")).isEqualTo(1);
      assertThat((String) js("return document.querySelector('[data-group=\"search\"] tr[data-idle=\"true\"]').textContent;"))
          .contains("IDLE");
      assertThat((String) js("return document.querySelector('[data-group=\"search\"] [data-role=\"idle-warning\"]').textContent;"))
          .contains("3 members for 2 partitions");
      assertThat(count("[data-group=\"counter\"] tr[data-idle=\"true\"]")).isZero();
    });
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
}
