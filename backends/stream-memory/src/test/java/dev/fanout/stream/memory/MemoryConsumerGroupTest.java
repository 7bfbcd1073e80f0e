package dev.fanout.stream.memory;

import dev.fanout.stream.tck.ConsumerGroupTestBase;

/** The contract of one consumer group, against the in-memory backend with its default settings. */
class MemoryConsumerGroupTest extends ConsumerGroupTestBase {

  MemoryConsumerGroupTest() {
    super(MemoryBackend.DEFAULT);
  }
}
