package dev.fanout.stream;

/**
 * A target for {@link StreamAdmin#resetOffsets}: the start or end of each partition, the first record at
 * or after a timestamp (the end when there is none), or one exact offset for every partition.
 */
public record OffsetSpec(Kind kind, long value) {

  public enum Kind { EARLIEST, LATEST, TIMESTAMP, OFFSET }

  public OffsetSpec {
    if ((kind == Kind.OFFSET || kind == Kind.TIMESTAMP) && value < 0) {
      throw new IllegalArgumentException(kind + " must not be negative, was " + value);
    }
  }

  public static OffsetSpec earliest() {
    return new OffsetSpec(Kind.EARLIEST, 0);
  }

  public static OffsetSpec latest() {
    return new OffsetSpec(Kind.LATEST, 0);
  }

  /** The first record whose timestamp is at or after {@code epochMillis}. */
  public static OffsetSpec timestamp(long epochMillis) {
    return new OffsetSpec(Kind.TIMESTAMP, epochMillis);
  }

  public static OffsetSpec offset(long offset) {
    return new OffsetSpec(Kind.OFFSET, offset);
  }
}
