package dev.fanout.stream.memory;

import dev.fanout.stream.tck.FailureTypesTestBase;

/** The failures and their types, against the in-memory backend with its default settings. */
class MemoryFailureTypesTest extends FailureTypesTestBase {

  MemoryFailureTypesTest() {
    super(MemoryBackend.DEFAULT);
  }
}
