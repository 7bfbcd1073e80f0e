package dev.fanout.app;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The system's Chromium, headless, driven by the system's chromedriver (nothing is downloaded), with a
 * viewport of exactly the size asked for, and what the browser tests read from a page. Screenshots land in
 * {@code target/screenshots/}.
 */
public final class HeadlessChromium implements AutoCloseable {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Path screenshots = Path.of(System.getProperty("basedir", "."), "target", "screenshots");

  private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
    this.service = service;
    this.driver = driver;
  }

  /**
   * Starts a browser whose viewport is {@code width}×{@code height}; fails the test, saying what to install,
   * when Chromium or its driver is missing. Alerts stay open for the test to see them.
   */
  public static HeadlessChromium start(int width, int height) throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail("the browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
          + "; install them with: apt-get install chromium chromium-driver");
    }
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--window-size=" + width + "," + height);
    // an alert must stay open for the test to see it, not be dismissed by the driver
    options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      throw e;
    }
    // the viewport itself is width×height, whatever the window around it takes
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
    HeadlessChromium chromium = new HeadlessChromium(service, driver);
    Files.createDirectories(chromium.screenshots);
    return chromium;
  }

  public ChromeDriver driver() {
    return driver;
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** The first match's text, or null. */
  public String text(String selector) {
    return (String) js("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector);
  }

  public long count(String selector) {
    return (Long) js("return document.querySelectorAll(arguments[0]).length;", selector);
  }

  /** The first match's attribute, or null. */
  public String attribute(String selector, String name) {
    return (String) js("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
        selector, name);
  }

  /**
   * The first match's bounding rectangle (top, bottom, left, right, width, height in CSS pixels), relative to
   * the viewport, or with {@code inDocument} to the document; null when nothing matches.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Number> rect(String selector, boolean inDocument) {
    return (Map<String, Number>) js("const e = document.querySelector(arguments[0]); if (!e) return null;"
        + " const r = e.getBoundingClientRect(); const y = arguments[1] ? window.scrollY : 0;"
        + " return {top: r.top + y, bottom: r.bottom + y, left: r.left, right: r.right, width: r.width, height: r.height};",
        selector, inDocument);
  }

  /** Saves what the viewport shows as {@code target/screenshots/<name>.png} and returns that file. */
  public Path screenshot(String name) throws Exception {
    File file = driver.getScreenshotAs(OutputType.FILE);
    Path saved = screenshots.resolve(name + ".png");
    Files.copy(file.toPath(), saved, StandardCopyOption.REPLACE_EXISTING);
    return saved;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
