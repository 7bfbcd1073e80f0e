package dev.fanout.stream.memory;

import dev.fanout.stream.tck.BackendLookupTestBase;

/** The backend lookup contract, against the in-memory backend with its default settings. */
class MemoryBackendLookupTest extends BackendLookupTestBase {

  MemoryBackendLookupTest() {
    super(MemoryBackend.DEFAULT);
  }
}
