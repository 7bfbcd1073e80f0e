package dev.fanout.tracing;

import java.util.List;

/** One publish, one trace, on Kafka (an embedded broker in KRaft mode). */
class OnePublishOneTraceKafkaTest extends OnePublishOneTraceTestBase {

  @Override
  List<String> backendFlags() {
    return List.of("--backend", "kafka");
  }
}
