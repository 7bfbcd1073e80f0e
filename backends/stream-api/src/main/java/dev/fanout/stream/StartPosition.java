package dev.fanout.stream;

/**
 * Where a group starts reading a partition for which it has no committed offset, and where it goes
 * when its committed offset has fallen out of the log's retention.
 */
public enum StartPosition {
  /** The oldest record still retained. */
  EARLIEST,
  /** The log-end offset at the moment the partition is first read: only records written later. */
  LATEST
}
