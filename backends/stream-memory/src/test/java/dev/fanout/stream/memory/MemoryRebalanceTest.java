package dev.fanout.stream.memory;

import dev.fanout.stream.tck.RebalanceTestBase;

/** The contract of partitions changing hands, against the in-memory backend with its default settings. */
class MemoryRebalanceTest extends RebalanceTestBase {

  MemoryRebalanceTest() {
    super(MemoryBackend.DEFAULT);
  }
}
