package dev.fanout.loadtest;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** PacedClient's command line: {@code --name=value} or {@code --name value}; see PacedClient for each. */
record PacedSettings(String url, String adminToken, double rate, int warmup, int duration, int connections,
                int inflightLimit, double probesPerSecond, int pollMillis, int authors, int receiverPort,
                long appPid, String pgDir, int drain, String tokensFile, int tickMicros) {

  static PacedSettings parse(String[] args) {
    Map<String, String> given = new HashMap<>();
    for (int k = 0; k < args.length; k++) {
      if (!args[k].startsWith("--")) {
        throw new IllegalArgumentException("expected --name=value, got " + args[k]);
      }
      int eq = args[k].indexOf('=');
      if (eq > 0) {
        given.put(args[k].substring(2, eq), args[k].substring(eq + 1));
      } else if (k + 1 < args.length) {
        given.put(args[k].substring(2), args[++k]);
      } else {
        throw new IllegalArgumentException(args[k] + " needs a value");
      }
    }
    PacedSettings s = new PacedSettings(
        take(given, "url", "http://127.0.0.1:8080"),
        take(given, "admin-token", ""),
        Double.parseDouble(take(given, "rate", "1000")),
        Integer.parseInt(take(given, "warmup", "20")),
        Integer.parseInt(take(given, "duration", "60")),
        Integer.parseInt(take(given, "connections", "32")),
        Integer.parseInt(take(given, "inflight-limit", "4096")),
        Double.parseDouble(take(given, "probes-per-second", "20")),
        Integer.parseInt(take(given, "poll-ms", "10")),
        Integer.parseInt(take(given, "authors", "1000")),
        Integer.parseInt(take(given, "receiver-port", "0")),
        Long.parseLong(take(given, "app-pid", "0")),
        take(given, "pg-dir", ""),
        Integer.parseInt(take(given, "drain", "120")),
        take(given, "tokens-file", ""),
        Integer.parseInt(take(given, "tick-us", "1000")));
    if (!given.isEmpty()) {
      throw new IllegalArgumentException("unknown settings: " + given.keySet() + "; known: url, admin-token, rate, "
          + "warmup, duration, connections, inflight-limit, probes-per-second, poll-ms, authors, receiver-port, "
          + "app-pid, pg-dir, drain, tokens-file, tick-us");
    }
    String host = URI.create(s.url).getHost();
    if (!host.startsWith("127.") && !host.equals("localhost")) {
      throw new IllegalArgumentException("--url must be a loopback address, was " + s.url);
    }
    if (s.adminToken.isEmpty()) {
      throw new IllegalArgumentException("--admin-token: the app's admin token, to mint author tokens");
    }
    if (s.rate <= 0 || s.duration <= 0 || s.warmup < 0 || s.connections < 1 || s.inflightLimit < 1
        || s.tickMicros < 100) {
      throw new IllegalArgumentException("--rate, --duration, --connections and --inflight-limit must be positive, "
          + "--warmup >= 0, --tick-us >= 100");
    }
    return s;
  }

  private static String take(Map<String, String> given, String name, String fallback) {
    String value = given.remove(name);
    return value == null ? fallback : value;
  }
}
