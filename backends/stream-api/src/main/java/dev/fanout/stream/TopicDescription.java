package dev.fanout.stream;

import java.util.List;

/** A topic and, per partition, the offsets it retains: {@code startOffset <= offset < endOffset}. */
public record TopicDescription(String name, List<PartitionRange> partitions) {

  public record PartitionRange(int partition, long startOffset, long endOffset) {
  }
}
