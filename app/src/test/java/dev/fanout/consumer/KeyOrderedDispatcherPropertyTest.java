package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The dispatcher under random submissions and completions in random order, some failing, some tasks throwing
 * or returning no future. Each try runs on one Vert.x context, so every step is synchronous and the
 * dispatcher's counts can be checked between steps.
 */
class KeyOrderedDispatcherPropertyTest {

  private static Vertx vertx;

  @BeforeContainer
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterContainer
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Property(tries = 1000)
  void eachKeyRunsInOrderOneAtATimeWithinTheBound(
      @ForAll @IntRange(min = 1, max = 20) int keyCount,
      @ForAll @IntRange(min = 1, max = 16) int maxInFlight,
      @ForAll("keysOfTasks") List<Integer> keyOfTask,
      @ForAll Random random) throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Run> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        Run run = new Run(new KeyOrderedDispatcher(context, maxInFlight), maxInFlight, keyCount, keyOfTask, random);
        run.play();
        done.complete(run);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    Run run;
    try {
      run = done.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw (Exception) e.getCause();
    }
    // jqwik's statistics are collected on its own thread
    int size = keyOfTask.size();
    Statistics.label("tasks").collect(size <= 30 ? "1-30" : size <= 150 ? "31-150" : "151-300");
    Statistics.label("every slot taken at some step").collect(run.boundReached);
    int queued = run.mostQueued;
    Statistics.label("most tasks queued at once").collect(queued == 0 ? "0" : queued <= 10 ? "1-10" : "over 10");
  }

  /** Each task's key (taken modulo the try's key count); lengths spread evenly up to 300, not mostly short. */
  @Provide
  Arbitrary<List<Integer>> keysOfTasks() {
    return Arbitraries.integers().between(0, 19).list().ofMinSize(1).ofMaxSize(300)
        .withSizeDistribution(RandomDistribution.uniform());
  }

  private enum Kind { HELD, THROWS, RETURNS_NULL }

  /** A started task whose future the test completes when it chooses. */
  private record Held(int id, int key, Promise<Integer> promise) {
  }

  /** One try: the dispatcher, and what the test saw of it. */
  private static final class Run {
    final KeyOrderedDispatcher dispatcher;
    final int maxInFlight;
    final int keyCount;
    final List<Integer> keyOfTask;
    final Random random;
    final List<List<Integer>> submittedByKey = new ArrayList<>();
    final List<List<Integer>> startedByKey = new ArrayList<>();
    final int[] starts;
    final int[] outcomes;
    final Object[] expected;
    final Object[] actual;
    final Set<Integer> runningKeys = new HashSet<>();
    final List<Held> held = new ArrayList<>();
    // broken promises seen inside tasks and handlers, where a thrown assertion would be taken for a task's failure
    final List<String> violations = new ArrayList<>();
    int submitted;
    int started;
    boolean boundReached;
    int mostQueued;

    Run(KeyOrderedDispatcher dispatcher, int maxInFlight, int keyCount, List<Integer> keyOfTask, Random random) {
      this.dispatcher = dispatcher;
      this.maxInFlight = maxInFlight;
      this.keyCount = keyCount;
      this.keyOfTask = keyOfTask;
      this.random = random;
      for (int key = 0; key < keyCount; key++) {
        submittedByKey.add(new ArrayList<>());
        startedByKey.add(new ArrayList<>());
      }
      starts = new int[keyOfTask.size()];
      outcomes = new int[keyOfTask.size()];
      expected = new Object[keyOfTask.size()];
      actual = new Object[keyOfTask.size()];
    }

    void play() {
      // some tries submit in bursts and let queues grow, others complete nearly as fast as they submit
      double submitShare = 0.2 + 0.7 * random.nextDouble();
      while (submitted < keyOfTask.size() || !held.isEmpty()) {
        if (submitted < keyOfTask.size() && (held.isEmpty() || random.nextDouble() < submitShare)) {
          submitNext();
        } else {
          completeOne();
        }
        checkStep();
      }
      for (int key = 0; key < keyCount; key++) {
        assertThat(startedByKey.get(key)).as("start order of key %d", key).isEqualTo(submittedByKey.get(key));
      }
      for (int id = 0; id < keyOfTask.size(); id++) {
        assertThat(starts[id]).as("starts of task %d", id).isEqualTo(1);
        assertThat(outcomes[id]).as("outcomes of task %d", id).isEqualTo(1);
        assertThat(actual[id]).as("outcome of task %d", id).isEqualTo(expected[id]);
      }
      assertThat(dispatcher.inFlight()).isZero();
      assertThat(dispatcher.queued()).isZero();
      assertThat(dispatcher.keysWaiting()).isZero();
      assertThat(dispatcher.keys()).as("keys retained").isZero();
      assertThat(dispatcher.idle().isComplete()).as("idle at once").isTrue();
    }

    void submitNext() {
      int id = submitted++;
      int key = keyOfTask.get(id) % keyCount;
      double roll = random.nextDouble();
      Kind kind = roll < 0.05 ? Kind.THROWS : roll < 0.10 ? Kind.RETURNS_NULL : Kind.HELD;
      if (kind != Kind.HELD) {
        expected[id] = kind;
      }
      submittedByKey.get(key).add(id);
      dispatcher.submit("author-" + key, task(id, key, kind)).onComplete(outcome -> settled(id, kind, outcome));
    }

    Supplier<Future<Integer>> task(int id, int key, Kind kind) {
      return () -> {
        starts[id]++;
        started++;
        startedByKey.get(key).add(id);
        if (!runningKeys.add(key)) {
          violations.add("task " + id + " started while another task of key " + key + " ran");
        }
        if (runningKeys.size() > maxInFlight) {
          violations.add(runningKeys.size() + " tasks ran at once, more than " + maxInFlight);
        }
        switch (kind) {
          case THROWS -> {
            runningKeys.remove(key);
            throw new IllegalStateException("task " + id + " throws");
          }
          case RETURNS_NULL -> {
            runningKeys.remove(key);
            return null;
          }
          default -> {
            Promise<Integer> promise = Promise.promise();
            held.add(new Held(id, key, promise));
            return promise.future();
          }
        }
      };
    }

    void completeOne() {
      int index = random.nextInt(held.size());
      Held task = held.get(index);
      held.set(index, held.get(held.size() - 1));
      held.remove(held.size() - 1);
      runningKeys.remove(task.key());
      if (random.nextDouble() < 0.2) {
        expected[task.id()] = "failed " + task.id();
        task.promise().fail(new Exception("failed " + task.id()));
      } else {
        expected[task.id()] = task.id();
        task.promise().complete(task.id());
      }
    }

    void settled(int id, Kind kind, AsyncResult<Integer> outcome) {
      outcomes[id]++;
      if (kind == Kind.THROWS && outcome.failed() && outcome.cause() instanceof IllegalStateException
          || kind == Kind.RETURNS_NULL && outcome.failed() && outcome.cause() instanceof NullPointerException) {
        actual[id] = kind;
      } else {
        actual[id] = outcome.succeeded() ? outcome.result() : outcome.cause().getMessage();
      }
    }

    void checkStep() {
      boundReached |= held.size() == maxInFlight;
      mostQueued = Math.max(mostQueued, submitted - started);
      assertThat(violations).isEmpty();
      assertThat(held.size()).isLessThanOrEqualTo(maxInFlight);
      assertThat(dispatcher.inFlight()).as("in flight").isEqualTo(held.size());
      assertThat(dispatcher.queued()).as("queued").isEqualTo(submitted - started);
      long keysWaiting = 0;
      for (int key = 0; key < keyCount; key++) {
        boolean waiting = submittedByKey.get(key).size() > startedByKey.get(key).size();
        if (waiting) {
          keysWaiting++;
          // a free slot is never left idle while a key could start
          if (held.size() < maxInFlight) {
            assertThat(runningKeys).as("key %d waits with a free slot", key).contains(key);
          }
        }
      }
      assertThat(dispatcher.keysWaiting()).as("keys waiting").isEqualTo((int) keysWaiting);
    }
  }
}
