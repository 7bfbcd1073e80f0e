package dev.fanout.core;

import java.util.regex.Pattern;

/**
 * Takes credentials out of text before it is shown or logged: the {@code user:password@} of every URL
 * ({@code http://fanout:pw@host:9200/x} becomes {@code http://host:9200/x}) and the value of a
 * {@code password=} parameter (kept as {@code password=***}). Everything else is left as it was.
 */
public final class Redaction {

  // up to the last @ before the URL's path, query, fragment or the end of the word: a password may hold an @
  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/?#\\s]*@");
  private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)\\b(password|passwd|pwd)=[^&\\s]+");

  private Redaction() {
  }

  /** {@code text} without credentials; null stays null. */
  public static String of(String text) {
    if (text == null || text.indexOf('@') < 0 && text.indexOf('=') < 0) {
      return text;
    }
    String withoutUsers = USER_INFO.matcher(text).replaceAll("");
    return PASSWORD_PARAMETER.matcher(withoutUsers).replaceAll("$1=***");
  }
}
