package dev.fanout.stream;

/** Where a record landed: its partition and its offset inside that partition. */
public record RecordPosition(int partition, long offset) {
}
