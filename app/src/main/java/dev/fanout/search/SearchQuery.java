package dev.fanout.search;

import dev.fanout.core.Refusal;
import io.vertx.core.MultiMap;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;

/**
 * A validated {@code GET /api/search} request.
 *
 * @param text   Lucene classic query syntax over title, body and tags; empty matches every live blog
 * @param author only blogs of this author, or null
 * @param tag    only blogs with this tag, or null
 * @param limit  hits per page, 1..{@value #MAX_LIMIT}
 * @param offset hits to skip, 0..{@value #MAX_OFFSET}
 */
public record SearchQuery(String text, String author, String tag, int limit, int offset) {

  public static final int DEFAULT_LIMIT = 10;
  public static final int MAX_LIMIT = 100;
  public static final int MAX_OFFSET = 10_000;
  public static final int MAX_QUERY = 500;

  /** Reads and checks the parameters; a bad one is an {@link Refusal.Kind#INVALID} refusal that names it. */
  public static SearchQuery parse(MultiMap params) {
    String text = params.get("q") == null ? "" : params.get("q").trim();
    if (text.length() > MAX_QUERY) {
      throw Refusal.invalid("q", "q must be at most " + MAX_QUERY + " characters");
    }
    if (!text.isEmpty()) {
      try {
        QueryParser parser = new QueryParser("body", new StandardAnalyzer());
        parser.setAllowLeadingWildcard(false);
        parser.parse(text);
      } catch (ParseException | RuntimeException e) {
        throw invalidQuery("q is not a valid query: " + firstLine(e.getMessage()));
      }
    }
    String author = blankToNull(params.get("author"));
    String tag = blankToNull(params.get("tag"));
    return new SearchQuery(text, author, tag, number(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        number(params, "offset", 0, 0, MAX_OFFSET));
  }

  /** A query the engine cannot run: code {@code invalid_query}, field {@code q}. */
  public static Refusal invalidQuery(String message) {
    return new Refusal(Refusal.Kind.INVALID, "invalid_query", message, "q");
  }

  private static int number(MultiMap params, String name, int defaultValue, int min, int max) {
    String value = params.get(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw Refusal.invalid(name, name + " must be a whole number, was '" + value + "'");
    }
    if (parsed < min || parsed > max) {
      throw Refusal.invalid(name, name + " must be " + min + " to " + max + ", was " + parsed);
    }
    return parsed;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "syntax error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
