package dev.fanout.stream.memory;

import dev.fanout.stream.tck.AdminTestBase;

/** The admin contract on topics and groups, against the in-memory backend with its default settings. */
class MemoryAdminTest extends AdminTestBase {

  MemoryAdminTest() {
    super(MemoryBackend.DEFAULT);
  }
}
