package dev.fanout.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.KeyPartitioner;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.tools.consumer.group.ConsumerGroupCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

/**
 * The committed offsets, log-end offsets, lag and owners our admin reports are what Kafka's own
 * {@code kafka-consumer-groups.sh --describe} prints for the same group, run in-process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaToolsAgreeTest {

  private static final int PARTITIONS = 6;

  // batches are held forever here: when the second member joins, the first gives its held batches up
  // after half a second instead of making the rebalance wait the default ten
  @RegisterExtension
  static final KafkaStreamFixture kafka = new KafkaStreamFixture(EmbeddedKafkaCluster.Config.of(1),
      new JsonObject().put("revocation.wait.ms", 500));

  @Test
  void describeGroupMatchesConsumerGroupCommand() throws Exception {
    String topic = "tools-topic";
    String group = "tools-group";
    kafka.stream().admin().createTopic(topic, PARTITIONS, 1).await(30, TimeUnit.SECONDS);
    // partition p gets 10 + 3p records; batches of 5; partition p commits 5 * (p % 3) records, then its
    // next batch stays in flight: committed offsets 0 (none), 5 and 10, and a different lag everywhere
    List<Future<?>> sends = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      String key = keyOn(p);
      for (int i = 0; i < 10 + 3 * p; i++) {
        sends.add(kafka.stream().send(topic, key, Map.of(), new byte[100]));
      }
    }
    Future.all(sends).await(30, TimeUnit.SECONDS);
    List<Promise<Void>> held = new ArrayList<>();
    SubscribeOptions options = SubscribeOptions.of(topic, group).withMaxBatchSize(5);
    List<GroupMember> members = new ArrayList<>();
    for (int m = 0; m < 2; m++) {
      members.add(kafka.stream().subscribe(options, batch -> {
        int p = batch.get(0).partition();
        if (batch.get(0).offset() < 5L * (p % 3)) {
          return Future.succeededFuture();
        }
        Promise<Void> never = Promise.promise();
        synchronized (held) {
          held.add(never);
        }
        return never.future();
      }).await(30, TimeUnit.SECONDS));
    }
    Map<Integer, Long> expectedCommitted = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      expectedCommitted.put(p, p % 3 == 0 ? -1L : 5L * (p % 3));
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      GroupDescription d = kafka.stream().admin().describeGroup(group).await(10, TimeUnit.SECONDS);
      assertThat(d.members()).hasSize(2).noneMatch(GroupDescription.Member::idle);
      Map<Integer, Long> committed = new TreeMap<>();
      d.partitions().forEach(l -> committed.put(l.partition(), l.committed()));
      assertThat(committed).isEqualTo(expectedCommitted);
    });

    GroupDescription ours = kafka.stream().admin().describeGroup(group).await(10, TimeUnit.SECONDS);
    List<Map<String, String>> rows = describeWithKafkaTools(group);

    assertThat(rows).as("rows printed by ConsumerGroupCommand").hasSize(PARTITIONS);
    Map<Integer, String> owners = new HashMap<>();
    ours.members().forEach(m -> m.partitions().forEach(p -> owners.put(p, m.memberId())));
    for (GroupDescription.PartitionLag lag : ours.partitions()) {
      Map<String, String> row = rows.stream()
          .filter(r -> r.get("TOPIC").equals(topic) && Integer.parseInt(r.get("PARTITION")) == lag.partition())
          .findFirst().orElseThrow();
      String what = "partition " + lag.partition() + " " + row;
      assertThat(row.get("GROUP")).isEqualTo(group);
      assertThat(Long.parseLong(row.get("LOG-END-OFFSET"))).as(what).isEqualTo(lag.logEnd());
      if (lag.committed() < 0) {
        // the tool prints "-" where nothing is committed; our lag then counts every retained record
        assertThat(row.get("CURRENT-OFFSET")).as(what).isEqualTo("-");
        assertThat(row.get("LAG")).as(what).isEqualTo("-");
        assertThat(lag.lag()).as(what).isEqualTo(lag.logEnd());
      } else {
        assertThat(Long.parseLong(row.get("CURRENT-OFFSET"))).as(what).isEqualTo(lag.committed());
        assertThat(Long.parseLong(row.get("LAG"))).as(what).isEqualTo(lag.lag());
      }
      assertThat(row.get("CLIENT-ID")).as(what).isEqualTo(owners.get(lag.partition()));
    }
    assertThat(ours.totalLag()).isEqualTo(rows.stream().mapToLong(r ->
        r.get("LAG").equals("-") ? Long.parseLong(r.get("LOG-END-OFFSET")) : Long.parseLong(r.get("LAG"))).sum());

    for (GroupMember member : members) {
      member.crash().await(30, TimeUnit.SECONDS);
    }
  }

  /** Runs {@code kafka-consumer-groups --describe --group group} in this JVM and parses its table. */
  private List<Map<String, String>> describeWithKafkaTools(String group) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    Exit.setExitProcedure((status, message) -> {
      throw new IllegalStateException("ConsumerGroupCommand exited with " + status + ": " + message);
    });
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      ConsumerGroupCommand.main(new String[] {
          "--bootstrap-server", kafka.cluster().bootstrapServers(), "--describe", "--group", group});
    } finally {
      System.setOut(original);
      Exit.resetExitProcedure();
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    List<Map<String, String>> rows = new ArrayList<>();
    List<String> header = null;
    for (String line : printed.split("\\R")) {
      List<String> cells = Arrays.stream(line.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
      if (cells.isEmpty()) {
        continue;
      }
      if (cells.get(0).equals("GROUP")) {
        header = cells;
      } else if (header != null && cells.size() == header.size()) {
        Map<String, String> row = new HashMap<>();
        for (int i = 0; i < cells.size(); i++) {
          row.put(header.get(i), cells.get(i));
        }
        rows.add(row);
      }
    }
    assertThat(header).as("table header in output:%n%s", printed).isNotNull();
    return rows;
  }

  private static String keyOn(int partition) {
    for (int i = 0; ; i++) {
      if (KeyPartitioner.partition("key-" + i, PARTITIONS) == partition) {
        return "key-" + i;
      }
    }
  }
}
