package dev.fanout.loadtest;

import dev.fanout.kafka.embedded.EmbeddedKafkaCluster;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupMember;
import dev.fanout.stream.StreamBackends;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka backend against plain kafka-clients on the same in-process broker, in one run: the same
 * records (100-byte values, 10,000 keys), the same 12 partitions, one producer and one consumer group
 * reading while the records are written. Both producers are idempotent with {@code acks=all} and
 * otherwise default settings; the plain consumer commits synchronously after every poll, as the backend
 * commits between polls.
 *
 * <p>Prints, per round, records/s until every record was acknowledged and until every record was
 * consumed, and the ratio backend/plain. Run:
 * <pre>
 * ./mvnw -B -q install -DskipTests
 * ./mvnw -B -q -f load-test exec:exec@kafka-stream -Dbench.args="300000 5"
 * </pre>
 * Arguments: records per run (default 500,000), rounds (default 3). Not a test: surefire skips it.
 */
public final class KafkaStreamBenchmark {

  private static final int PARTITIONS = 12;
  private static final int KEYS = 10_000;
  private static final int WINDOW = 20_000;
  private static final byte[] VALUE = new byte[100];

  private KafkaStreamBenchmark() {
  }

  /** Seconds until all records were acknowledged, and until all were consumed. */
  private record Result(long records, double ackSeconds, double consumeSeconds) {

    double ackRate() {
      return records / ackSeconds;
    }

    double consumeRate() {
      return records / consumeSeconds;
    }
  }

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    System.out.printf("%d records of %d bytes, %d keys, %d partitions, %d rounds, %d cores%n", records,
        VALUE.length, KEYS, PARTITIONS, rounds, Runtime.getRuntime().availableProcessors());
    try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(1)) {
      Vertx vertx = Vertx.vertx();
      EventStream stream = StreamBackends.open(vertx, "kafka",
          new JsonObject().put("bootstrap.servers", cluster.bootstrapServers())).await(60, TimeUnit.SECONDS);
      try {
        // warm-up of both paths, not reported
        runBackend(vertx, stream, "warm", Math.min(records, 100_000));
        runPlain(cluster, stream, "warm", Math.min(records, 100_000));
        List<Double> ackRatios = new ArrayList<>();
        List<Double> consumeRatios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
          Result plain = runPlain(cluster, stream, "round" + round, records);
          Result ours = runBackend(vertx, stream, "round" + round, records);
          ackRatios.add(ours.ackRate() / plain.ackRate());
          consumeRatios.add(ours.consumeRate() / plain.consumeRate());
          System.out.printf(Locale.ROOT,
              "round %d  plain: %,9.0f rec/s acked, %,9.0f rec/s consumed | backend: %,9.0f rec/s acked,"
                  + " %,9.0f rec/s consumed | ratio acked %.2f, consumed %.2f%n",
              round, plain.ackRate(), plain.consumeRate(), ours.ackRate(), ours.consumeRate(),
              ackRatios.get(ackRatios.size() - 1), consumeRatios.get(consumeRatios.size() - 1));
        }
        System.out.printf(Locale.ROOT, "median ratio backend/plain: acked %.2f, consumed %.2f%n",
            median(ackRatios), median(consumeRatios));
      } finally {
        stream.close().await(60, TimeUnit.SECONDS);
        vertx.close().await(60, TimeUnit.SECONDS);
      }
    }
  }

  private static Result runBackend(Vertx vertx, EventStream stream, String label, int records) throws Exception {
    String topic = "bench-backend-" + label;
    stream.admin().createTopic(topic, PARTITIONS, 1).await(60, TimeUnit.SECONDS);
    AtomicLong consumed = new AtomicLong();
    CompletableFuture<Long> allConsumed = new CompletableFuture<>();
    GroupMember member = stream.subscribe(SubscribeOptions.of(topic, topic + "-group"), batch -> {
      if (consumed.addAndGet(batch.size()) >= records) {
        allConsumed.complete(System.nanoTime());
      }
      return Future.succeededFuture();
    }).await(60, TimeUnit.SECONDS);
    long start = System.nanoTime();
    CompletableFuture<Long> allAcked = new CompletableFuture<>();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> new Pump(stream, topic, records, allAcked).pump());
    long acked = allAcked.get(10, TimeUnit.MINUTES);
    long done = allConsumed.get(10, TimeUnit.MINUTES);
    member.leave().await(60, TimeUnit.SECONDS);
    return new Result(records, (acked - start) / 1e9, (done - start) / 1e9);
  }

  /** Sends from one event-loop context, at most {@link #WINDOW} records unacknowledged. */
  private static final class Pump {
    private final EventStream stream;
    private final String topic;
    private final int records;
    private final CompletableFuture<Long> allAcked;
    // accessed on the pump's context
    private int next;
    private int inFlight;
    private int acked;

    Pump(EventStream stream, String topic, int records, CompletableFuture<Long> allAcked) {
      this.stream = stream;
      this.topic = topic;
      this.records = records;
      this.allAcked = allAcked;
    }

    void pump() {
      while (inFlight < WINDOW && next < records) {
        inFlight++;
        int i = next++;
        stream.send(topic, "key-" + (i % KEYS), Map.of(), VALUE).onComplete(ar -> {
          inFlight--;
          if (ar.failed()) {
            allAcked.completeExceptionally(ar.cause());
            return;
          }
          if (++acked == records) {
            allAcked.complete(System.nanoTime());
          }
          pump();
        });
      }
    }
  }

  private static Result runPlain(EmbeddedKafkaCluster cluster, EventStream stream, String label, int records)
      throws Exception {
    String topic = "bench-plain-" + label;
    stream.admin().createTopic(topic, PARTITIONS, 1).await(60, TimeUnit.SECONDS);
    Properties consumerProps = new Properties();
    consumerProps.put("bootstrap.servers", cluster.bootstrapServers());
    consumerProps.put("group.id", topic + "-group");
    consumerProps.put("enable.auto.commit", "false");
    consumerProps.put("auto.offset.reset", "earliest");
    CompletableFuture<Long> allConsumed = new CompletableFuture<>();
    CompletableFuture<Void> assigned = new CompletableFuture<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread consumerThread = new Thread(() -> {
      try (KafkaConsumer<String, byte[]> consumer =
               new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topic));
        long count = 0;
        while (!stop.get() && count < records) {
          ConsumerRecords<String, byte[]> polled = consumer.poll(Duration.ofMillis(100));
          if (!consumer.assignment().isEmpty()) {
            assigned.complete(null);
          }
          if (!polled.isEmpty()) {
            count += polled.count();
            consumer.commitSync();
          }
        }
        allConsumed.complete(System.nanoTime());
      } catch (RuntimeException e) {
        allConsumed.completeExceptionally(e);
        assigned.completeExceptionally(e);
      }
    }, "bench-plain-consumer");
    consumerThread.start();
    assigned.get(60, TimeUnit.SECONDS);

    Properties producerProps = new Properties();
    producerProps.put("bootstrap.servers", cluster.bootstrapServers());
    producerProps.put("acks", "all");
    producerProps.put("enable.idempotence", "true");
    long start = System.nanoTime();
    AtomicLong acked = new AtomicLong();
    CompletableFuture<Long> allAcked = new CompletableFuture<>();
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, "key-" + (i % KEYS), VALUE), (metadata, error) -> {
          if (error != null) {
            allAcked.completeExceptionally(error);
          } else if (acked.incrementAndGet() == records) {
            allAcked.complete(System.nanoTime());
          }
        });
      }
      long ackedAt = allAcked.get(10, TimeUnit.MINUTES);
      long consumedAt = allConsumed.get(10, TimeUnit.MINUTES);
      return new Result(records, (ackedAt - start) / 1e9, (consumedAt - start) / 1e9);
    } finally {
      stop.set(true);
      consumerThread.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
