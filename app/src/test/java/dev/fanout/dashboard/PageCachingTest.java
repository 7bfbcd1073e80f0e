package dev.fanout.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How the pages and their modules are cached, over plain HTTP against a started app: the pages and every
 * module they import, found by following their imports, are answered with {@code Cache-Control: no-cache}
 * and a Last-Modified, so a browser asks again before each use and an unchanged file costs a 304; after an
 * upgrade (another process) it never mixes old and new modules: what one process validated, the next answers
 * in full. The chart library's files, whose path holds their version,
 * stay cacheable. The pages name that version as the build filtered it in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PageCachingTest {

  private static final Pattern IMPORT = Pattern.compile("(?m)^import .* from '([^']+)';$");
  private static final Pattern MODULE_SCRIPT = Pattern.compile("<script type=\"module\" src=\"([^\"]+)\">");
  private static final Pattern UPLOT = Pattern.compile("src=\"(/webjars/uplot/[^\"]+/uPlot\\.iife\\.min\\.js)\"");

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "2");

  private HttpResponse<String> get(String path) throws Exception {
    HttpResponse<String> response = app.get(path);
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response;
  }

  private static String header(HttpResponse<String> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  /** The page's module script, and every module reached from it through its imports. */
  private Set<String> modulesOf(String page) throws Exception {
    Matcher entry = MODULE_SCRIPT.matcher(get(page).body());
    assertThat(entry.find()).as(page + " loads a module script").isTrue();
    Set<String> found = new LinkedHashSet<>();
    Deque<String> next = new ArrayDeque<>(List.of(entry.group(1)));
    while (!next.isEmpty()) {
      String path = next.pop();
      if (!found.add(path)) {
        continue;
      }
      Matcher imports = IMPORT.matcher(get(path).body());
      while (imports.find()) {
        next.push(URI.create("http://page" + path).resolve(imports.group(1)).getPath());
      }
    }
    return found;
  }

  private void assertRevalidated(String path, String contentType) throws Exception {
    HttpResponse<String> first = get(path);
    assertThat(header(first, "Cache-Control")).as(path).isEqualTo("no-cache");
    assertThat(header(first, "Content-Type")).as(path).contains(contentType);
    String lastModified = header(first, "Last-Modified");
    assertThat(lastModified).as(path + " Last-Modified").isNotBlank();

    HttpResponse<String> again = app.send("GET", path, null, null, "If-Modified-Since", lastModified);
    assertThat(again.statusCode()).as(path + " asked again").isEqualTo(304);
    assertThat(again.body()).as(path).isEmpty();
    assertThat(header(again, "Cache-Control")).as(path).isEqualTo("no-cache");
  }

  @Test
  void thePagesAndEveryModuleTheyImportAreRevalidatedBeforeEachUse() throws Exception {
    for (String page : List.of("/", "/index.html", "/lab.html")) {
      assertRevalidated(page, "text/html");
    }
    Set<String> dashboard = modulesOf("/");
    assertThat(dashboard).contains("/dashboard.js", "/js/common.js", "/js/live.js", "/js/trace.js",
        "/js/controls.js", "/js/publish.js", "/js/subscriptions.js");
    Set<String> lab = modulesOf("/lab.html");
    assertThat(lab).contains("/lab.js", "/js/common.js", "/js/lab-result.js");
    for (String module : dashboard) {
      assertRevalidated(module, "javascript");
    }
    for (String module : lab) {
      assertRevalidated(module, "javascript");
    }
    assertRevalidated("/dashboard.css", "text/css");
  }

  @Test
  void thePagesNameTheChartLibraryTheBuildDependsOnAndItsFilesStayCacheable() throws Exception {
    for (String page : List.of("/", "/lab.html")) {
      String html = get(page).body();
      assertThat(html).as(page + ", filtered").doesNotContain("${");
      Matcher uplot = UPLOT.matcher(html);
      assertThat(uplot.find()).as(page + " loads uPlot").isTrue();
      HttpResponse<String> library = get(uplot.group(1));
      assertThat(library.body()).contains("uPlot");
      assertThat(header(library, "Cache-Control")).as(uplot.group(1)).contains("max-age=").doesNotContain("no-cache");
    }
  }

  @Test
  void whatOneProcessValidatedTheNextAnswersInFull() throws Exception {
    String lastModified = header(get("/js/common.js"), "Last-Modified");
    long validatedAt = ZonedDateTime.parse(lastModified, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
    // Last-Modified counts whole seconds: the next process must start in a later one to tell itself apart
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() >= validatedAt + 1000);
    Path dataDir = Files.createTempDirectory("fanout-next-process");
    try (RunningApp next = RunningApp.start(dataDir, "--partitions", "2")) {
      for (String path : List.of("/", "/dashboard.js", "/js/common.js")) {
        HttpResponse<String> answer = next.send("GET", path, null, null, "If-Modified-Since", lastModified);
        assertThat(answer.statusCode()).as(path + " from the next process").isEqualTo(200);
        assertThat(answer.body()).as(path).isNotEmpty();
      }
    } finally {
      RunningApp.deleteRecursively(dataDir);
    }
  }
}
