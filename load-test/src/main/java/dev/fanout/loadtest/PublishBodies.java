package dev.fanout.loadtest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Pre-encoded publish bodies; built once, then only the title's sequence number is written per publish. */
final class PublishBodies {

  private static final String[] WORDS = {"stream", "partition", "offset", "consumer", "group", "outbox",
      "replay", "lag", "index", "search", "counter", "author", "blog", "event", "commit", "durable", "latency",
      "throughput", "kafka", "postgres", "lucene", "vertx", "retention", "circuit", "breaker", "idempotent",
      "ordering", "fanout"};

  record Publish(CharSequence authorization, Buffer body) {
  }

  private final Random random = new Random();
  private final String run;
  private final List<String> ids = new ArrayList<>();
  private final double[] cumulative; // Zipf-like (s = 1): author-1 the most frequent
  private final byte[][] prefixes;   // per author: {"authorId":"author-k","title":"w<run>q
  private final byte[][] suffixes;   // 64 of:  steady load","body":"<~1,300 chars>","tags":["load"]}
  private CharSequence[] authorizations;
  private Map<String, String> tokens;

  PublishBodies(int authors, String run) {
    this.run = run;
    cumulative = new double[authors];
    prefixes = new byte[authors][];
    double sum = 0;
    for (int k = 1; k <= authors; k++) {
      sum += 1.0 / k;
    }
    double running = 0;
    for (int k = 1; k <= authors; k++) {
      running += 1.0 / k / sum;
      cumulative[k - 1] = running;
      ids.add("author-" + k);
      prefixes[k - 1] = prefix("author-" + k);
    }
    suffixes = new byte[64][];
    for (int b = 0; b < suffixes.length; b++) {
      StringBuilder text = new StringBuilder();
      while (text.length() < 1300) {
        text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
      }
      suffixes[b] = (" steady load\",\"body\":\"" + text.toString().trim() + "\",\"tags\":[\"load\"]}")
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  List<String> authorIds() {
    return ids;
  }

  void useTokens(Map<String, String> tokens) {
    this.tokens = tokens;
    authorizations = new CharSequence[ids.size()];
    for (int k = 0; k < ids.size(); k++) {
      authorizations[k] = HttpHeaders.createOptimized("Bearer " + tokens.get(ids.get(k)));
    }
  }

  /** Publish {@code i} of a Zipf-drawn author. */
  Publish next(long i) {
    int k = author();
    return new Publish(authorizations[k], body(prefixes[k], i));
  }

  /** Publish {@code i} as a probe's author of its own. */
  Publish probe(String author, long i) {
    return new Publish("Bearer " + tokens.get(author), body(prefix(author), i));
  }

  private Buffer body(byte[] prefix, long i) {
    byte[] suffix = suffixes[(int) (i % suffixes.length)];
    return Buffer.buffer(prefix.length + 20 + suffix.length).appendBytes(prefix).appendString(Long.toString(i))
        .appendBytes(suffix);
  }

  private byte[] prefix(String author) {
    return ("{\"authorId\":\"" + author + "\",\"title\":\"w" + run + "q").getBytes(StandardCharsets.UTF_8);
  }

  private int author() {
    double u = random.nextDouble();
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
