package dev.fanout.stream.kafka;

import dev.fanout.stream.tck.RetentionTestBase;
import io.vertx.core.Future;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The retention contract, against the shared broker; records are dropped with the admin client's deleteRecords. */
class KafkaRetentionTest extends RetentionTestBase {

  @RegisterExtension
  static final SharedKafkaBroker broker = new SharedKafkaBroker();

  KafkaRetentionTest() {
    super(broker);
  }

  // created at the first drop, closed after the class
  private Admin admin;

  @Override
  protected Future<Void> dropRecordsBefore(String topic, int partition, long offset) {
    if (admin == null) {
      admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }
    return Future.fromCompletionStage(admin.deleteRecords(
        Map.of(new TopicPartition(topic, partition), RecordsToDelete.beforeOffset(offset))).all().toCompletionStage());
  }

  @AfterAll
  void closeAdmin() {
    if (admin != null) {
      admin.close();
    }
  }
}
