package dev.fanout.tracing;

import java.util.List;

/** One publish, one trace, on the in-memory stream. */
class OnePublishOneTraceMemoryTest extends OnePublishOneTraceTestBase {

  @Override
  List<String> backendFlags() {
    return List.of("--backend", "memory");
  }
}
