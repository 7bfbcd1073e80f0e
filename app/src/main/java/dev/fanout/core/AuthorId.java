package dev.fanout.core;

import java.util.regex.Pattern;

/**
 * The rule for author ids, wherever one comes from (a request body, a path): 1 to 64 of A-Z, a-z, 0-9,
 * {@code _} and {@code -}. Events are keyed by author id, so it also names the partition a blog's events
 * go to.
 */
public final class AuthorId {

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private AuthorId() {
  }

  /** Whether {@code value} is an author id. */
  public static boolean isValid(String value) {
    return value != null && VALID.matcher(value).matches();
  }

  /**
   * {@code value} as an author id.
   *
   * @throws Refusal an {@link Refusal.Kind#INVALID} one naming the field {@code authorId}
   */
  public static String check(Object value) {
    if (value == null) {
      throw Refusal.invalid("authorId", "authorId is required");
    }
    if (!(value instanceof String text)) {
      throw Refusal.invalid("authorId", "authorId must be a string");
    }
    if (!VALID.matcher(text).matches()) {
      throw Refusal.invalid("authorId", "authorId must be 1 to 64 of A-Z, a-z, 0-9, _ and -");
    }
    return text;
  }
}
