package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README's option tables and the commands' own option declarations say the same: every flag on one side
 * is on the other, with the same environment variable and the same default. A flag added to one side only
 * fails here.
 */
class ReadmeOptionsTest {

  private static final Path README = Path.of("..", "README.md");
  // | `--port` | `FANOUT_PORT` | `8080` | meaning |
  private static final Pattern APP_ROW = Pattern.compile("^\\| `(--[a-z0-9-]+)` \\| `(FANOUT_[A-Z0-9_]+)` \\| ([^|]+) \\|");
  // | `--publishes` | `300` | meaning |   (the lab's own table: no variable)
  private static final Pattern LAB_ROW = Pattern.compile("^\\| `(--[a-z0-9-]+)` \\| ([^|]+) \\|");

  /** One documented or declared option: its variable (null when it has none) and its default ("" for none). */
  private record Row(String env, String defaultValue) {
  }

  @Test
  void theAppOptionTableIsTheCommandsOptions() throws IOException {
    Map<String, Row> documented = new TreeMap<>();
    String section = section("## Configuration");
    for (String line : section.lines().toList()) {
      Matcher row = APP_ROW.matcher(line);
      if (row.find()) {
        documented.put(row.group(1), new Row(row.group(2), cell(row.group(3))));
      }
    }
    Map<String, Row> declared = new TreeMap<>();
    for (OptionSpec option : Cli.userOptions(new CommandLine(new ServeCommand()).getCommandSpec())) {
      declared.put(option.longestName(), new Row(Cli.envName(option), option.defaultValue()));
    }
    assertThat(documented).as("README's Configuration table against the options `java -jar fanout.jar` declares")
        .isEqualTo(declared);
  }

  @Test
  void theLabOptionTableIsTheLabsOwnOptions() throws IOException {
    Map<String, Row> documented = new TreeMap<>();
    for (String line : section("## The lab").lines().toList()) {
      Matcher row = LAB_ROW.matcher(line);
      if (row.find()) {
        documented.put(row.group(1), new Row(null, cell(row.group(2))));
      }
    }
    Map<String, Row> declared = new TreeMap<>();
    for (OptionSpec option : Cli.userOptions(LabCommand.commandLine().getCommandSpec())) {
      if (Cli.envName(option) == null) {
        declared.put(option.longestName(), new Row(null, option.defaultValue()));
      }
    }
    assertThat(documented).as("README's lab table against the options `fanout.jar lab` adds to the app's")
        .isEqualTo(declared);
  }

  @Test
  void theReceiverOptionTableIsTheReceiversOptions() throws IOException {
    Map<String, Row> documented = new TreeMap<>();
    for (String line : section("## Webhook receiver").lines().toList()) {
      Matcher row = LAB_ROW.matcher(line);
      if (row.find()) {
        documented.put(row.group(1), new Row(null, cell(row.group(2))));
      }
    }
    Map<String, Row> declared = new TreeMap<>();
    for (OptionSpec option : Cli.userOptions(ReceiverCommand.commandLine().getCommandSpec())) {
      declared.put(option.longestName(), new Row(Cli.envName(option),
          option.defaultValue() == null ? "" : option.defaultValue()));
    }
    assertThat(documented).as("README's receiver table against the options `fanout.jar receiver` declares")
        .isEqualTo(declared);
  }

  // `8080` is 8080; a cell in parentheses, such as (none) or (generated), is no declared default
  private static String cell(String text) {
    String trimmed = text.trim();
    if (trimmed.startsWith("(")) {
      return "";
    }
    return trimmed.startsWith("`") && trimmed.endsWith("`") ? trimmed.substring(1, trimmed.length() - 1) : trimmed;
  }

  // from the heading to the next heading of the same level
  private static String section(String heading) throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n" + heading + "\n");
    assertThat(start).as("README has a section " + heading).isNotNegative();
    int end = readme.indexOf("\n## ", start + heading.length() + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }
}
