package dev.fanout.audit;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * One gap an audit found between the blogs table (the truth), the counter's author counts and the search
 * index. Each {@link Kind} has one shape, a record here; {@link #toJson()} is its wire form, {@code kind}
 * first and then the fields in the order of the record.
 */
public sealed interface Discrepancy
    permits Discrepancy.CountMismatch, Discrepancy.MissingFromTable, Discrepancy.BlogMismatch {

  /** The kinds of discrepancy, each with the wire name the audit's JSON gives it (a public contract). */
  enum Kind {
    /** {@link CountMismatch}. */
    COUNT_MISMATCH("count_mismatch"),
    /** {@link MissingFromIndex}. */
    MISSING_FROM_INDEX("missing_from_index"),
    /** {@link MissingFromTable}. */
    MISSING_FROM_TABLE("missing_from_table"),
    /** {@link IndexDiffers}: the table's row is deleted, the index's entry is not. */
    DELETED_BUT_SEARCHABLE("deleted_but_searchable"),
    /** {@link IndexDiffers}: the table's row is live, the index's entry is a deletion. */
    LIVE_BUT_DELETED_IN_INDEX("live_but_deleted_in_index"),
    /** {@link IndexDiffers}: the index holds an older version than the table. */
    STALE_IN_INDEX("stale_in_index"),
    /** {@link IndexDiffers}: the index holds a newer version than the table. */
    AHEAD_OF_TABLE("ahead_of_table");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    /** The kind as the audit's JSON spells it. */
    public String wireName() {
      return wireName;
    }
  }

  Kind kind();

  /** The author the gap is about: the blog's author, or the author whose count is wrong. */
  String authorId();

  /** {@code {kind, ...the record's fields}}. */
  JsonObject toJson();

  /** Live blogs in the table ({@code expected}) against the counter's {@code blog_count} ({@code counted}). */
  record CountMismatch(String authorId, long expected, long counted) implements Discrepancy {

    @Override
    public Kind kind() {
      return Kind.COUNT_MISMATCH;
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("kind", kind().wireName()).put("authorId", authorId)
          .put("expected", expected).put("counted", counted);
    }
  }

  /** An indexed blog (or tombstone) with no row in the table. */
  record MissingFromTable(String blogId, String authorId, int indexedVersion, boolean indexedDeleted)
      implements Discrepancy {

    @Override
    public Kind kind() {
      return Kind.MISSING_FROM_TABLE;
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("kind", kind().wireName()).put("blogId", blogId).put("authorId", authorId)
          .put("indexedVersion", indexedVersion).put("indexedDeleted", indexedDeleted);
    }
  }

  /** A blog the table holds, at {@link #version()}, whose index entry is missing or differs. */
  sealed interface BlogMismatch extends Discrepancy permits MissingFromIndex, IndexDiffers {

    String blogId();

    /** The row's version. */
    int version();

    /** Whether the index holds an older version than the row, or none: only then can re-sent events close it. */
    boolean indexBehind();
  }

  /** A blog, or its deletion, that the index does not hold. */
  record MissingFromIndex(String blogId, String authorId, int version, boolean deleted) implements BlogMismatch {

    @Override
    public Kind kind() {
      return Kind.MISSING_FROM_INDEX;
    }

    @Override
    public boolean indexBehind() {
      return true;
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("kind", kind().wireName()).put("blogId", blogId).put("authorId", authorId)
          .put("version", version).put("deleted", deleted);
    }
  }

  /**
   * A blog whose index entry disagrees with its row: on the deletion flag, else on the version.
   *
   * @param kind one of {@link #KINDS}
   */
  record IndexDiffers(Kind kind, String blogId, String authorId, int version, int indexedVersion)
      implements BlogMismatch {

    /** The kinds this shape carries. */
    public static final Set<Kind> KINDS = Set.of(Kind.DELETED_BUT_SEARCHABLE, Kind.LIVE_BUT_DELETED_IN_INDEX,
        Kind.STALE_IN_INDEX, Kind.AHEAD_OF_TABLE);

    public IndexDiffers {
      if (!KINDS.contains(kind)) {
        throw new IllegalArgumentException(kind + " is not a difference between a row and its index entry");
      }
    }

    @Override
    public boolean indexBehind() {
      return indexedVersion < version;
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("kind", kind.wireName()).put("blogId", blogId).put("authorId", authorId)
          .put("version", version).put("indexedVersion", indexedVersion);
    }
  }
}
