package dev.fanout.compose;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The search engines Fanout can index into, by the names the command line and {@code /api/info} use. */
public enum SearchKind {
  /** An embedded Lucene index under the data dir. */
  LUCENE,
  /** An OpenSearch (Elasticsearch-compatible) server. */
  OPENSEARCH;

  /** The name users type: lower case. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return wireName();
  }

  /** The kind of that name, whatever its case; refused with the known names otherwise. */
  public static SearchKind of(String name) {
    for (SearchKind kind : values()) {
      if (kind.wireName().equalsIgnoreCase(name.trim())) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown search engine '" + name + "'; known engines: "
        + Arrays.stream(values()).map(SearchKind::wireName).collect(Collectors.joining(", ")));
  }
}
