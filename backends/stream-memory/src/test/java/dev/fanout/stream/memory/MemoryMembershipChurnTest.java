package dev.fanout.stream.memory;

import dev.fanout.stream.tck.MembershipChurnTestBase;

/** The randomised membership churn, against the in-memory backend with its default settings. */
class MemoryMembershipChurnTest extends MembershipChurnTestBase {

  MemoryMembershipChurnTest() {
    super(MemoryBackend.DEFAULT);
  }
}
