package dev.fanout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.HeadlessChromium;
import dev.fanout.app.RunningApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The lab page in a real headless Chromium (the system's, as {@code DashboardBrowserTest} drives it), 1400×900:
 * reached from the dashboard's header, it shows that nothing ran yet without a token; with the admin token typed
 * in, a small lab (none and crash) starts, its progress shows run after run, then the result shows as a table
 * (one row per fault and design) and one chart per fault, side by side inside the page; reloaded without the
 * token, the result is still there. Screenshots land in {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabBrowserTest {

  private static final int WIDTH = 1400;
  private static final int HEIGHT = 900;

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "2", "--retry-backoff-ms", "20", "--breaker-wait-ms", "500");
  private HeadlessChromium chromium;
  private ChromeDriver browser;

  @BeforeAll
  void start() throws Exception {
    chromium = HeadlessChromium.start(WIDTH, HEIGHT);
    browser = chromium.driver();
  }

  @AfterAll
  void stop() {
    if (chromium != null) {
      chromium.close();
    }
  }

  private static ConditionFactory await(Duration atMost) {
    return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(200));
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

  private String attribute(String selector, String name) {
    return chromium.attribute(selector, name);
  }

  /** The element's bounding rectangle relative to the document: top, bottom, left, right, width, height. */
  private Map<String, Number> rect(String selector) {
    return chromium.rect(selector, true);
  }

  private double edge(String selector, String side) {
    return rect(selector).get(side).doubleValue();
  }

  private void type(String id, String text) {
    WebElement input = browser.findElement(By.id(id));
    input.clear();
    input.sendKeys(text);
  }

  private void screenshot(String name, String scrollTo) throws Exception {
    js("document.querySelector(arguments[0]).scrollIntoView();", scrollTo);
    chromium.screenshot(name);
  }

  @Test
  void aSmallLabStartedFromThePageShowsItsProgressThenATableAndAChartPerFault() throws Exception {
    // from the dashboard's header, with no token in the tab
    browser.get("http://127.0.0.1:" + app.app().port() + "/");
    browser.findElement(By.cssSelector("a.to-lab")).click();
    await(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/lab.html"));
    assertThat(js("return document.getElementById('admin-token').value;")).isEqualTo("");
    await(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(text("#lab-progress")).isEqualTo("no lab has been started in this process"));
    assertThat(text("#lab-summary")).isEqualTo("no lab has finished in this process yet");
    assertThat(count(".lab-chart")).isZero();

    type("admin-token", app.app().adminToken());
    js("document.querySelectorAll('#lab-faults input').forEach(b => { b.checked = ['none', 'crash'].includes(b.value); });");
    type("lab-publishes", "40");
    type("lab-settle", "2");
    type("lab-outage", "1");
    browser.findElement(By.id("lab-run")).click();

    await(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(text("#lab-answer")).isEqualTo("started: 6 runs");
      assertThat(attribute("#progress", "data-running")).isEqualTo("true");
      assertThat(text("#lab-progress")).matches("run [1-6] of 6 · design [123] \\(.+\\) · fault (none|crash) · .+");
    });
    assertThat(browser.findElement(By.id("lab-run")).isEnabled()).as("one lab at a time").isFalse();
    screenshot("lab-1-running", "#start");

    await(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(attribute("#progress", "data-running")).isEqualTo("false");
      assertThat(text("#lab-progress")).isEqualTo("done: 6 runs");
      assertThat(count("#lab-result-table tbody tr")).isEqualTo(6);
      assertThat(count(".lab-chart canvas")).isEqualTo(2);
    });
    screenshot("lab-2-result", "#result");

    // the table: every design consistent without a fault; under the crash only design 3
    for (String design : List.of("1", "2", "3")) {
      assertThat(attribute("tr[data-fault=\"none\"][data-design=\"" + design + "\"]", "data-consistent"))
          .as("design " + design + " without a fault").isEqualTo("true");
    }
    assertThat(attribute("tr[data-fault=\"crash\"][data-design=\"3\"]", "data-consistent")).isEqualTo("true");
    for (String design : List.of("1", "2")) {
      String row = "tr[data-fault=\"crash\"][data-design=\"" + design + "\"]";
      assertThat(attribute(row, "data-consistent")).isEqualTo("false");
      assertThat(text(row + " [data-role=\"consistent-after\"]")).isEqualTo("never");
    }

    // one chart per fault, in the order they ran, side by side below the table and inside the page
    assertThat((List<?>) js("return Array.from(document.querySelectorAll('.lab-chart')).map(c => c.dataset.fault);"))
        .isEqualTo(List.of("none", "crash"));
    String first = ".lab-chart[data-fault=\"none\"] canvas";
    String second = ".lab-chart[data-fault=\"crash\"] canvas";
    for (String canvas : List.of(first, second)) {
      Map<String, Number> r = rect(canvas);
      assertThat(r.get("width").doubleValue()).as(canvas).isGreaterThan(300);
      assertThat(r.get("height").doubleValue()).as(canvas).isBetween(150.0, 400.0);
      assertThat(r.get("left").doubleValue()).as(canvas).isGreaterThanOrEqualTo(0);
      assertThat(r.get("right").doubleValue()).as(canvas).isLessThanOrEqualTo(WIDTH);
      assertThat(r.get("top").doubleValue()).as(canvas).isGreaterThan(edge("#lab-result-table", "bottom"));
    }
    assertThat(edge(first, "right")).isLessThan(edge(second, "left"));
    assertThat(edge(first, "top")).isEqualTo(edge(second, "top"));
    assertThat(text(".lab-chart[data-fault=\"crash\"] .note")).contains("1: not consistent within 2 s")
        .contains("3: consistent after");

    // viewing needs no token: forgotten and reloaded, the page shows the same result
    browser.findElement(By.id("admin-token-forget")).click();
    browser.navigate().refresh();
    await(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(js("return document.getElementById('admin-token').value;")).isEqualTo("");
      assertThat(count("#lab-result-table tbody tr")).isEqualTo(6);
      assertThat(count(".lab-chart canvas")).isEqualTo(2);
      assertThat(text("#lab-progress")).isEqualTo("done: 6 runs");
    });
  }
}
