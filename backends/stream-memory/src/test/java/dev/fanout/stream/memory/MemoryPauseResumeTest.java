package dev.fanout.stream.memory;

import dev.fanout.stream.tck.PauseResumeTestBase;

/** The pause and resume contract, against the in-memory backend with its default settings. */
class MemoryPauseResumeTest extends PauseResumeTestBase {

  MemoryPauseResumeTest() {
    super(MemoryBackend.DEFAULT);
  }
}
