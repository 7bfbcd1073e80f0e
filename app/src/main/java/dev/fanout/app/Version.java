package dev.fanout.app;

import picocli.CommandLine.IVersionProvider;

/** The application's version, from the jar's manifest; "dev" when run from classes. */
final class Version {

  private Version() {
  }

  static String current() {
    String version = Version.class.getPackage().getImplementationVersion();
    return version != null ? version : "dev";
  }

  /** What {@code --version} prints. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"fanout " + current(), "Java " + System.getProperty("java.version")};
    }
  }
}
