package dev.fanout.app;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * {@code java -jar app/target/fanout.jar [options]} serves Fanout until it is stopped ({@link ServeCommand});
 * {@code java -jar app/target/fanout.jar lab [options]} runs the lab instead ({@link LabCommand});
 * {@code java -jar app/target/fanout.jar receiver --secret whsec_... [options]} runs a webhook receiver to try
 * subscriptions with ({@link ReceiverCommand}). Each has {@code --help} and {@code --version}; a bad option
 * stops with a message naming it and exit code 2.
 */
public final class Main {

  private Main() {
  }

  /** Fanout's command line: serving, with its subcommands. */
  static CommandLine commandLine(ServeCommand serve) {
    CommandLine line = new CommandLine(serve);
    line.addSubcommand(LabCommand.commandLine());
    line.addSubcommand(ReceiverCommand.commandLine());
    return line;
  }

  public static void main(String[] args) {
    ServeCommand serve = new ServeCommand();
    int code = Cli.run(commandLine(serve), args, System.getenv(), new PrintWriter(System.out, true),
        new PrintWriter(System.err, true));
    // a started app runs on Vert.x's threads until it is stopped (SIGTERM); everything else ends here
    if (code != 0 || !serve.serving()) {
      System.exit(code);
    }
  }
}
