package dev.fanout.app;

import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * How Fanout's command lines are read: picocli, with three rules of our own.
 *
 * <ul>
 *   <li><b>The environment</b>: every option declared in {@link AppOptions} may be given as an environment
 *       variable named after its flag ({@code --port}: {@code FANOUT_PORT}); a flag wins over the variable,
 *       which wins over the declared default. The environment is handed in (a map), so tests give their own.</li>
 *   <li><b>Help never shows the environment</b>: {@code --help} prints each option's declared default, bounds
 *       and variable name, never a value taken from the environment, which may hold a secret (the admin
 *       token, a password inside {@code FANOUT_PG_URL} or {@code FANOUT_OPENSEARCH_URL}).</li>
 *   <li><b>Checked before running</b>: {@link Bounds} and each command's own checks ({@link Checked}) run
 *       after parsing; a bad value stops with a message naming the option and exit code 2.</li>
 * </ul>
 */
final class Cli {

  /** The exit code of a bad command line. */
  static final int USAGE = 2;

  /** A command that checks its parsed options together before it runs. */
  interface Checked {
    /** Throws IllegalArgumentException, naming the option, when a value or a combination is refused. */
    void check();
  }

  private Cli() {
  }

  /** The environment variable of an option declared in {@link AppOptions}, or null for other options. */
  static String envName(OptionSpec option) {
    if (!(option.userObject() instanceof Field field) || field.getDeclaringClass() != AppOptions.class) {
      return null;
    }
    return "FANOUT_" + option.longestName().substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The options a user sets (not --help and --version), in declaration order. */
  static List<OptionSpec> userOptions(CommandSpec spec) {
    return spec.options().stream().filter(o -> !o.usageHelp() && !o.versionHelp()).toList();
  }

  /**
   * Makes {@code line} (and its subcommands, which must be added before) take defaults from {@code env}, show
   * defaults, bounds and variables in its help, and checks what it parsed before running.
   */
  static CommandLine configure(CommandLine line, Map<String, String> env, PrintWriter out, PrintWriter err) {
    describe(line);
    line.setUsageHelpWidth(110);
    line.setDefaultValueProvider(new EnvDefaults(env));
    line.setOut(out);
    line.setErr(err);
    line.setParameterExceptionHandler((e, args) -> {
      CommandLine failed = e.getCommandLine();
      failed.getErr().println(failed.getCommandName() + ": " + e.getMessage());
      failed.getErr().println("see: " + String.join(" ", failed.getCommandSpec().qualifiedName().split(" ")) + " --help");
      return USAGE;
    });
    line.setExecutionStrategy(parsed -> {
      try {
        check(parsed);
      } catch (ParameterException e) {
        // a refusal after parsing is still a usage error: the same message and exit code as a parsing one
        try {
          return line.getParameterExceptionHandler().handleParseException(e,
              parsed.originalArgs().toArray(String[]::new));
        } catch (Exception handling) {
          throw new CommandLine.ExecutionException(line, "could not report a usage error", handling);
        }
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    return line;
  }

  /** Runs {@code args} through {@code line}, {@link #configure configured}; returns the exit code. */
  static int run(CommandLine line, String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    try {
      return configure(line, env, out, err).execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * Parses {@code args} into {@code line}'s command and checks them, without running it; returns the command: for tests and for
   * {@link FanoutOptions#parse}. A refusal is an IllegalArgumentException whose message names the option.
   */
  static <T> T parse(CommandLine line, String[] args, Map<String, String> env) {
    configure(line, env, new PrintWriter(System.out), new PrintWriter(System.err));
    try {
      check(line.parseArgs(args));
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return line.getCommand();
  }

  // Bounds first, then the command's own checks, for every command named on the line; not for --help.
  private static void check(ParseResult parsed) {
    for (CommandLine line : parsed.asCommandLineList()) {
      if (line.isUsageHelpRequested() || line.isVersionHelpRequested()) {
        return;
      }
    }
    for (CommandLine line : parsed.asCommandLineList()) {
      for (OptionSpec option : userOptions(line.getCommandSpec())) {
        Bounds bounds = bounds(option);
        Object value = option.getValue();
        if (bounds != null && value instanceof Number number
            && (number.longValue() < bounds.min() || number.longValue() > bounds.max())) {
          throw new ParameterException(line, "option " + option.longestName() + ": " + number + " is outside "
              + bounds.min() + ".." + bounds.max());
        }
      }
      if (line.getCommand() instanceof Checked checked) {
        try {
          checked.check();
        } catch (IllegalArgumentException e) {
          throw new ParameterException(line, e.getMessage(), e);
        }
      }
    }
  }

  private static Bounds bounds(OptionSpec option) {
    return option.userObject() instanceof Field field ? field.getAnnotation(Bounds.class) : null;
  }

  // Each option's help line ends with its bounds, its declared default and its variable, all taken from its
  // one declaration; never from the environment.
  private static void describe(CommandLine line) {
    CommandSpec spec = line.getCommandSpec();
    for (OptionSpec option : new ArrayList<>(userOptions(spec))) {
      StringBuilder text = new StringBuilder(String.join(" ", option.description()));
      Bounds bounds = bounds(option);
      if (bounds != null) {
        text.append("; ").append(bounds.min()).append(" to ").append(bounds.max());
      }
      List<String> facts = new ArrayList<>();
      if (option.defaultValue() != null && !option.defaultValue().isEmpty()) {
        facts.add("default " + option.defaultValue());
      }
      String env = envName(option);
      if (env != null) {
        facts.add("env " + env);
      }
      if (!facts.isEmpty()) {
        text.append(" (").append(String.join(", ", facts)).append(')');
      }
      spec.remove(option);
      // picocli formats descriptions (String.format): a declared '%' (±50% jitter) is a literal one
      spec.addOption(OptionSpec.builder(option).description(text.toString().replace("%", "%%"))
          .paramLabel("<" + option.longestName().substring(2) + ">").build());
    }
    line.getSubcommands().values().forEach(Cli::describe);
  }

  /** The environment as defaults: only for the options of {@link AppOptions}; null elsewhere. */
  private record EnvDefaults(Map<String, String> env) implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
      if (arg instanceof OptionSpec option) {
        String name = envName(option);
        return name == null ? null : env.get(name);
      }
      return null;
    }
  }
}
