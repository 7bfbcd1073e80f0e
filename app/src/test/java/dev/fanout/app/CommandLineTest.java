package dev.fanout.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/** The command line as a user meets it: help, version, refusals and exit codes; nothing is started. */
class CommandLineTest {

  private record Ran(int code, String out, String err) {
  }

  private static Ran run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Cli.run(Main.commandLine(new ServeCommand()), args, env, new PrintWriter(out), new PrintWriter(err));
    // help wraps its lines: one space between words, wherever they broke
    return new Ran(code, out.toString().replaceAll("\\s+", " "), err.toString().replaceAll("\\s+", " "));
  }

  @Test
  void helpListsEveryOptionWithItsDefaultBoundsAndVariable() {
    Ran help = run(Map.of(), "--help");
    assertThat(help.code()).isZero();
    for (OptionSpec option : Cli.userOptions(Main.commandLine(new ServeCommand()).getCommandSpec())) {
      assertThat(help.out()).contains(option.longestName());
      assertThat(help.out()).contains("env " + Cli.envName(option));
    }
    assertThat(help.out()).contains("--partitions").contains("1 to 1024").contains("default 12")
        .contains("FANOUT_PARTITIONS").contains("lab --help");
    assertThat(help.out()).contains("per author").contains("give or take up to half (jitter)");
    assertThat(help.err()).as("picocli's own warnings").isEmpty();
  }

  @Test
  void helpNeverShowsAValueFromTheEnvironment() {
    Ran help = run(Map.of("FANOUT_ADMIN_TOKEN", "s3cret-admin-token-value",
        "FANOUT_PG_URL", "postgresql://fanout:pg-passw0rd@db.example:5432/fanout",
        "FANOUT_OPENSEARCH_URL", "https://search:os-passw0rd@search.example:9200",
        "FANOUT_PORT", "9999"), "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out() + help.err()).doesNotContain("s3cret").doesNotContain("pg-passw0rd")
        .doesNotContain("os-passw0rd").doesNotContain("9999");
    Ran lab = run(Map.of("FANOUT_ADMIN_TOKEN", "s3cret-admin-token-value"), "lab", "--help");
    assertThat(lab.code()).isZero();
    assertThat(lab.out()).contains("--publishes").contains("--faults").contains("--json").contains("--backend")
        .doesNotContain("s3cret");
  }

  @Test
  void versionOfTheAppAndOfTheLab() {
    Ran version = run(Map.of(), "--version");
    assertThat(version.code()).isZero();
    assertThat(version.out()).startsWith("fanout ").contains("Java ");
    assertThat(run(Map.of(), "lab", "--version").out()).startsWith("fanout ");
  }

  @Test
  void aBadValueStopsWithItsOptionNamedAndExitCodeTwo() {
    Ran badPort = run(Map.of(), "--port", "http");
    assertThat(badPort.code()).isEqualTo(Cli.USAGE);
    assertThat(badPort.err()).contains("--port").contains("http");
    Ran fromEnv = run(Map.of("FANOUT_PARTITIONS", "0"));
    assertThat(fromEnv.code()).isEqualTo(Cli.USAGE);
    assertThat(fromEnv.err()).contains("--partitions").contains("1..1024");
    Ran search = run(Map.of(), "--search", "solr");
    assertThat(search.code()).isEqualTo(Cli.USAGE);
    assertThat(search.err()).contains("--search").contains("lucene, opensearch");
    Ran lab = run(Map.of(), "lab", "--publishes", "2");
    assertThat(lab.code()).isEqualTo(Cli.USAGE);
    assertThat(lab.err()).contains("--publishes");
  }
}
