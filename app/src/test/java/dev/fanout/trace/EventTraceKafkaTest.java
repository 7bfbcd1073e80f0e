package dev.fanout.trace;

/** Following one event on Kafka (the app's own embedded broker). */
class EventTraceKafkaTest extends EventTraceContractBase {

  @Override
  String[] backendFlags() {
    return new String[] {"--backend", "kafka"};
  }
}
