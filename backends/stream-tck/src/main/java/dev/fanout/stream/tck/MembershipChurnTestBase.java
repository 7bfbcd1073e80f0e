package dev.fanout.stream.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.GroupMember;
import dev.fanout.stream.SubscribeOptions;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Randomised membership churn: members of two groups join, leave and crash while records are written, and
 * no record is lost and each key keeps its order. A failure names its seed, which {@value #SEED_PROPERTY}
 * replays.
 */
public abstract class MembershipChurnTestBase extends StreamTestBase {

  protected MembershipChurnTestBase(BackendUnderTest backend) {
    super(backend);
  }

  /** A system property that replays a given seed in the membership churn test. */
  public static final String SEED_PROPERTY = "fanout.tck.seed";

  /** Records written in the membership churn test. */
  protected int churnRecords() {
    return 10_000;
  }

  /** Distinct keys in the membership churn test. */
  protected int churnKeys() {
    return 50;
  }

  /** Joins, leaves and crashes in the membership churn test. */
  protected int churnMembershipChanges() {
    return 12;
  }

  /** The churn test's seed: {@value #SEED_PROPERTY} when set, otherwise a fresh one. */
  protected long churnSeed() {
    return Long.getLong(SEED_PROPERTY, new Random().nextLong());
  }

  @Test
  void membershipChurnLosesNothingAndKeepsEachKeysOrder() {
    long seed = churnSeed();
    Random random = new Random(seed);
    String topic = createTopic("churn");
    List<String> keys = IntStream.range(0, churnKeys()).mapToObj(i -> "user-" + i).toList();
    List<ChurnGroup> groups = List.of(new ChurnGroup(topic, "a"), new ChurnGroup(topic, "b"));
    for (ChurnGroup group : groups) {
      group.addMember();
      group.addMember();
    }
    List<String> changes = new ArrayList<>();
    String context = "churn seed " + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + "), changes ";
    Sender sender = new Sender(topic);
    int records = churnRecords();
    int rounds = churnMembershipChanges() + 1;
    int sent = 0;
    for (int round = 0; round < rounds; round++) {
      List<String> slice = new ArrayList<>();
      for (int upTo = (int) ((long) records * (round + 1) / rounds); sent < upTo; sent++) {
        slice.add(keys.get(random.nextInt(keys.size())));
      }
      sender.sendAll(slice);
      if (round < rounds - 1) {
        changes.add(groups.get(random.nextInt(groups.size())).change(random));
      }
    }
    Map<String, Integer> sentPerKey = sender.sentPerKey();
    for (ChurnGroup group : groups) {
      eventually().untilAsserted(() -> {
        assertThat(group.log.handledPrefixPerKey()).as(context + changes + ": records handled by " + group.log.group())
            .isEqualTo(sentPerKey);
        assertThat(describe(group.log.group(), topic).totalLag()).as(context + changes).isZero();
      });
      assertThat(group.log.orderViolations()).as(context + changes + ": order in " + group.log.group()).isEmpty();
      assertThat(group.log.violations()).as(context + changes).isEmpty();
    }
  }

  /** One consumer group of the churn test and its live members. */
  private final class ChurnGroup {
    private static final int MAX_BATCH = 20;
    private final SubscribeOptions options;
    private final DeliveryLog log;
    private final Map<String, GroupMember> live = new LinkedHashMap<>();
    private int joined;

    ChurnGroup(String topic, String label) {
      String group = name("churn-" + label);
      this.options = SubscribeOptions.of(topic, group).withMaxBatchSize(MAX_BATCH).withRetryDelayMs(10);
      this.log = newLog(group, topic, MAX_BATCH);
    }

    String addMember() {
      String label = "m" + joined++;
      // the batch stays in flight for a few milliseconds so that a crash can catch it; a few fail
      live.put(label, subscribe(options, log, label, batch -> {
        Promise<Void> done = Promise.promise();
        boolean fail = ThreadLocalRandom.current().nextInt(50) == 0;
        vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(3), id -> {
          if (fail) {
            done.fail(new IllegalStateException("tck: induced failure"));
          } else {
            done.complete();
          }
        });
        return done.future();
      }));
      return log.group() + ": " + label + " joins";
    }

    String change(Random random) {
      int kind = live.size() <= 1 ? 0 : live.size() >= 4 ? 1 + random.nextInt(2) : random.nextInt(3);
      if (kind == 0) {
        return addMember();
      }
      List<String> labels = new ArrayList<>(live.keySet());
      String label = labels.get(random.nextInt(labels.size()));
      GroupMember member = live.remove(label);
      if (kind == 1) {
        join(member.leave());
        return log.group() + ": " + label + " leaves";
      }
      log.crashing(label);
      join(member.crash());
      return log.group() + ": " + label + " crashes";
    }
  }
}
