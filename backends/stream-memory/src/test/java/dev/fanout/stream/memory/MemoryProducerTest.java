package dev.fanout.stream.memory;

import dev.fanout.stream.tck.ProducerTestBase;

/** The producer contract, against the in-memory backend with its default settings. */
class MemoryProducerTest extends ProducerTestBase {

  MemoryProducerTest() {
    super(MemoryBackend.DEFAULT);
  }
}
