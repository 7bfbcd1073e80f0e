package dev.fanout.loadtest.gatling;

import java.net.URI;

/**
 * The simulations' settings, from system properties ({@code -Dfanout.rate=...} on the Maven command line).
 * Every run is bounded: a rate and a duration, never an open-ended loop. Publishes carry author tokens
 * from {@code fanout.tokens} (a file) or minted with {@code fanout.adminToken}: see {@link AuthorTokens}.
 */
record Settings(String url, int rate, int seconds, int rampSeconds, int authors, double zipf, int connections,
                String tokensFile, String adminToken) {

  static Settings fromSystemProperties(int defaultRate) {
    String url = System.getProperty("fanout.url", "http://127.0.0.1:8080");
    String host = URI.create(url).getHost();
    if (!host.startsWith("127.") && !host.equals("localhost")) {
      throw new IllegalArgumentException("fanout.url must be a loopback address, was " + url);
    }
    return new Settings(url, Integer.getInteger("fanout.rate", defaultRate), Integer.getInteger("fanout.seconds", 60),
        Integer.getInteger("fanout.ramp", 10), Integer.getInteger("fanout.authors", 10_000),
        Double.parseDouble(System.getProperty("fanout.zipf", "1.0")), Integer.getInteger("fanout.connections", 200),
        emptyIsNull(System.getProperty("fanout.tokens")), emptyIsNull(System.getProperty("fanout.adminToken")));
  }

  private static String emptyIsNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  @Override
  public String toString() { // never shows the admin token
    return "Settings[url=" + url + ", rate=" + rate + ", seconds=" + seconds + ", authors=" + authors
        + ", tokensFile=" + tokensFile + ", adminToken=" + (adminToken == null ? "none" : "***") + "]";
  }
}
