package dev.fanout.stream.memory;

import dev.fanout.stream.tck.DeleteTestBase;

/** The admin contract on deleting topics and groups, against the in-memory backend with its default settings. */
class MemoryDeleteTest extends DeleteTestBase {

  MemoryDeleteTest() {
    super(MemoryBackend.DEFAULT);
  }
}
