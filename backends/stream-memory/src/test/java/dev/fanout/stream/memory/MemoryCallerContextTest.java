package dev.fanout.stream.memory;

import dev.fanout.stream.tck.CallerContextTestBase;

/** Futures completing on the caller's context, against the in-memory backend with its default settings. */
class MemoryCallerContextTest extends CallerContextTestBase {

  MemoryCallerContextTest() {
    super(MemoryBackend.DEFAULT);
  }
}
