package dev.fanout.stream.memory;

import dev.fanout.stream.tck.IndependentGroupsTestBase;

/** The contract of groups reading one topic independently, against the in-memory backend with its default settings. */
class MemoryIndependentGroupsTest extends IndependentGroupsTestBase {

  MemoryIndependentGroupsTest() {
    super(MemoryBackend.DEFAULT);
  }
}
