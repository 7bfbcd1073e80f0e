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
 * <p>Each draft carries {@code authorization}, the {@code Bearer} header value of its author's token
 * ({@link AuthorTokens}, made once per author before the run), unless the run has no tokens.
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
  private final String[] authorizations;

  /** The settings' authors and Zipf exponent, and their tokens (read or minted now). */
  static BlogFeeder of(Settings settings) {
    return new BlogFeeder(settings.authors(), settings.zipf(), AuthorTokens.authorizations(settings));
  }

  /**
   * {@code authors} authors, Zipf exponent {@code exponent} (1.0 is classic Zipf); {@code authorizations}
   * index k - 1 holds {@code author-k}'s Authorization header value, null for none.
   */
  BlogFeeder(int authors, double exponent, String[] authorizations) {
    this.authorizations = authorizations;
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

  /** Whether the drafts carry an {@code authorization}. */
  boolean hasTokens() {
    return authorizations != null;
  }

  /** An author drawn from the Zipf distribution, k for {@code author-k}: {@code author-1} is the most prolific. */
  int author() {
    double u = ThreadLocalRandom.current().nextDouble();
    int i = Arrays.binarySearch(cumulative, u);
    return (i < 0 ? -i - 1 : i) + 1;
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
    int author = author();
    String authorId = "author-" + author;
    String body = bodies[random.nextInt(BODY_POOL)];
    return authorizations == null
        ? Map.of("authorId", authorId, "title", title, "body", body, "tags", tags, "word", word())
        : Map.of("authorId", authorId, "title", title, "body", body, "tags", tags, "word", word(),
            "authorization", authorizations[author - 1]);
  }

  private static String text(int length) {
    StringBuilder text = new StringBuilder(length + 16);
    while (text.length() < length) {
      text.append(word()).append(text.length() % 97 < 8 ? ". " : " ");
    }
    return text.substring(0, length).trim();
  }
}
