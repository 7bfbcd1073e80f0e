package dev.fanout.loadtest.gatling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Authorization} header values ({@code Bearer <token>}) of the authors {@code author-1} ..
 * {@code author-<fanout.authors>} the feeder draws, made once before the scenario starts. Publishes need
 * the token of the author they are made as. Two sources:
 * <ul>
 *   <li>{@code fanout.tokens}: a file of {@code authorId token} lines (what load-test/lib.sh's
 *       {@code mint_tokens} writes; gatling.sh mints one per app and hands it to every run against that
 *       app). Every author must be there; an empty file means publishing without tokens (gatling.sh gives
 *       one for a jar from before author tokens, which takes any write).</li>
 *   <li>{@code fanout.adminToken}: the app's admin token; the tokens are minted here through
 *       {@code POST /api/admin/authors/{authorId}/tokens}. A 404 there (a jar from before author tokens)
 *       means publishing without tokens; any other refusal stops the simulation.</li>
 * </ul>
 */
final class AuthorTokens {

  private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
  private static final int MINTING_IN_FLIGHT = 16;

  private AuthorTokens() {
  }

  /** Index k - 1 holds {@code author-k}'s header value; null: publish without tokens. */
  static String[] authorizations(Settings settings) {
    if (settings.tokensFile() != null) {
      return fromFile(Path.of(settings.tokensFile()), settings.authors());
    }
    if (settings.adminToken() != null) {
      return mint(settings.url(), settings.adminToken(), settings.authors());
    }
    throw new IllegalStateException("publishes need author tokens: give -Dfanout.tokens=<file of 'authorId token' "
        + "lines> or -Dfanout.adminToken=<the app's --admin-token> to mint them");
  }

  private static String[] fromFile(Path file, int authors) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fanout.tokens " + file, e);
    }
    if (lines.stream().allMatch(String::isBlank)) {
      System.out.println("fanout.tokens " + file + " is empty: publishing without author tokens");
      return null;
    }
    Map<String, String> tokens = new HashMap<>();
    for (String line : lines) {
      String[] fields = line.trim().split(" ");
      if (fields.length == 2) {
        tokens.put(fields[0], fields[1]);
      }
    }
    String[] authorizations = new String[authors];
    for (int k = 1; k <= authors; k++) {
      String token = tokens.get("author-" + k);
      if (token == null) {
        throw new IllegalStateException("fanout.tokens " + file + " has no token for author-" + k
            + " (it needs author-1 .. author-" + authors + ", fanout.authors)");
      }
      authorizations[k - 1] = "Bearer " + token;
    }
    return authorizations;
  }

  private static String[] mint(String url, String adminToken, int authors) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    long started = System.nanoTime();
    // one first: a jar without the endpoint answers 404
    HttpResponse<String> first = http.sendAsync(request(url, adminToken, 1), HttpResponse.BodyHandlers.ofString()).join();
    if (first.statusCode() == 404) {
      System.out.println(url + " mints no author tokens (404): publishing without tokens");
      return null;
    }
    String[] authorizations = new String[authors];
    authorizations[0] = authorization(first, 1);
    Semaphore inFlight = new Semaphore(MINTING_IN_FLIGHT);
    CompletableFuture<?>[] minted = new CompletableFuture<?>[authors - 1];
    for (int k = 2; k <= authors; k++) {
      int author = k;
      inFlight.acquireUninterruptibly();
      minted[k - 2] = http.sendAsync(request(url, adminToken, author), HttpResponse.BodyHandlers.ofString())
          .whenComplete((r, e) -> inFlight.release())
          .thenAccept(response -> authorizations[author - 1] = authorization(response, author));
    }
    CompletableFuture.allOf(minted).join(); // the first failure, if any, is thrown here
    System.out.printf("minted %d author tokens in %.1f s%n", authors, (System.nanoTime() - started) / 1e9);
    return authorizations;
  }

  private static HttpRequest request(String url, String adminToken, int author) {
    return HttpRequest.newBuilder(URI.create(url + "/api/admin/authors/author-" + author + "/tokens"))
        .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString("{\"ttlSeconds\":86400}")) // a day: far longer than any run
        .build();
  }

  private static String authorization(HttpResponse<String> response, int author) {
    Matcher token = TOKEN.matcher(response.body());
    if (response.statusCode() != 201 || !token.find()) {
      throw new IllegalStateException("minting a token for author-" + author + " failed: HTTP "
          + response.statusCode() + " " + response.body());
    }
    return "Bearer " + token.group(1);
  }
}
