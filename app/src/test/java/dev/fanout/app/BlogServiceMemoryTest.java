package dev.fanout.app;

/** The blog service on the in-memory stream (the embedded default). */
class BlogServiceMemoryTest extends BlogServiceContractBase {

  @Override
  String[] backendFlags() {
    return new String[] {"--backend", "memory"};
  }
}
