package dev.fanout.trace;

/** Following one event on the in-memory stream (the embedded default). */
class EventTraceMemoryTest extends EventTraceContractBase {

  @Override
  String[] backendFlags() {
    return new String[] {"--backend", "memory"};
  }
}
