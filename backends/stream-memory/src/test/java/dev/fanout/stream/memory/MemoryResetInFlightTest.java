package dev.fanout.stream.memory;

import dev.fanout.stream.tck.ResetInFlightTestBase;

/** A reset with batches in flight, against the in-memory backend with its default settings. */
class MemoryResetInFlightTest extends ResetInFlightTestBase {

  MemoryResetInFlightTest() {
    super(MemoryBackend.DEFAULT);
  }
}
