package dev.fanout.app;

/** The application's version, from the jar's manifest; "dev" when run from classes. */
final class Version {

  private Version() {
  }

  static String current() {
    String version = Version.class.getPackage().getImplementationVersion();
    return version != null ? version : "dev";
  }
}
