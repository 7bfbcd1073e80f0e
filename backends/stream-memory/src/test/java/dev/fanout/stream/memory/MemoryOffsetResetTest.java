package dev.fanout.stream.memory;

import dev.fanout.stream.tck.OffsetResetTestBase;

/** The offset reset contract, against the in-memory backend with its default settings. */
class MemoryOffsetResetTest extends OffsetResetTestBase {

  MemoryOffsetResetTest() {
    super(MemoryBackend.DEFAULT);
  }
}
