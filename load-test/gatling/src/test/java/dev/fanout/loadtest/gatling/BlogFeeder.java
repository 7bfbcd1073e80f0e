package dev.fanout.loadtest.gatling;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Endless blog drafts for the simulations: authors Zipf-distributed (a few authors write most blogs),
 * titles of 3 to 12 words, bodies of roughly 300 to 6,000 characters (log-uniform, median about 1,300)
 * and 0 to 4 tags, all made of a fixed vocabulary so that searches find them.
 *
 * <p>Bodies come from a pool made once, so the load generator spends its CPU on HTTP, not on text.
 * Thread-safe: Gatling calls {@code next()} from several threads.
 */
final class BlogFeeder implements Iterator<Map<String, Object>> {

  static final List<String> WORDS = List.of(
      "stream", "partition", "offset", "consumer", "group", "kafka", "vertx", "event", "loop", "lucene",
      "index", "search", "counter", "author", "blog", "publish", "latency", "throughput", "commit", "fsync",
      "postgres", "outbox", "relay", "replay", "lag", "dashboard", "circuit", "breaker", "retry", "backoff",
      "java", "virtual", "thread", "buffer", "netty", "socket", "heap", "garbage", "collector", "profile",
      "flame", "graph", "queue", "batch", "window", "metric", "histogram", "quantile", "percentile", "ratio",
      "coffee", "mountain", "river", "garden", "winter", "summer", "travel", "recipe", "music", "history");

  private static final int BODY_POOL = 256;

  private final double[] cumulative;
  private final String[] bodies;

  /** {@code authors} authors, Zipf exponent {@code exponent} (1.0 is classic Zipf). */
  BlogFeeder(int authors, double exponent) {
    cumulative = new double[authors];
    double sum = 0;
    for (int k = 1; k <= authors; k++) {
      sum += 1 / Math.pow(k, exponent);
      cumulative[k - 1] = sum;
    }
    for (int i = 0; i < authors; i++) {
      cumulative[i] /= sum;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    bodies = new String[BODY_POOL];
    for (int i = 0; i < BODY_POOL; i++) {
      int length = (int) Math.exp(Math.log(300) + random.nextDouble() * (Math.log(6000) - Math.log(300)));
      bodies[i] = text(length);
    }
  }

  /** An author id drawn from the Zipf distribution: {@code author-1} is the most prolific. */
  String author() {
    double u = ThreadLocalRandom.current().nextDouble();
    int i = Arrays.binarySearch(cumulative, u);
    return "author-" + ((i < 0 ? -i - 1 : i) + 1);
  }

  static String word() {
    return WORDS.get(ThreadLocalRandom.current().nextInt(WORDS.size()));
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public Map<String, Object> next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String title = IntStream.range(0, 3 + random.nextInt(10)).mapToObj(i -> word()).collect(Collectors.joining(" "));
    String tags = IntStream.range(0, random.nextInt(5)).mapToObj(i -> "\"" + word() + "\"")
        .distinct().collect(Collectors.joining(",", "[", "]"));
    return Map.of("authorId", author(), "title", title, "body", bodies[random.nextInt(BODY_POOL)], "tags", tags,
        "word", word());
  }

  private static String text(int length) {
    StringBuilder text = new StringBuilder(length + 16);
    while (text.length() < length) {
      text.append(word()).append(text.length() % 97 < 8 ? ". " : " ");
    }
    return text.substring(0, length).trim();
  }
}
