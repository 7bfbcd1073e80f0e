package dev.fanout.app;

/**
 * The blog service on Kafka. No bootstrap servers are given, so the app starts its own embedded broker
 * under the data directory: the same path as {@code --backend kafka} on a fresh machine.
 */
class BlogServiceKafkaTest extends BlogServiceContractBase {

  @Override
  String[] backendFlags() {
    return new String[] {"--backend", "kafka"};
  }
}
