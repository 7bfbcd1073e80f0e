package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bookkeeping of the key-ordered dispatcher, driven by hand: what starts after each add and completion. */
class KeyOrderedQueueTest {

  @Test
  void oneKeysItemsStartOneAtATimeInTheOrderAdded() {
    KeyOrderedQueue<String> queue = new KeyOrderedQueue<>(4);
    assertThat(queue.add("ada", "a1")).contains("a1");
    assertThat(queue.add("ada", "a2")).as("a1 still runs").isEmpty();
    assertThat(queue.add("ada", "a3")).isEmpty();
    assertThat(queue.inFlight()).isEqualTo(1);
    assertThat(queue.queued()).isEqualTo(2);
    assertThat(queue.keysWaiting()).isEqualTo(1);

    assertThat(queue.done("ada")).contains("a2");
    assertThat(queue.done("ada")).contains("a3");
    assertThat(queue.done("ada")).isEmpty();
    assertThat(queue.idle()).isTrue();
  }

  @Test
  void differentKeysRunTogetherUpToTheBound() {
    KeyOrderedQueue<String> queue = new KeyOrderedQueue<>(2);
    assertThat(queue.add("ada", "a1")).contains("a1");
    assertThat(queue.add("bob", "b1")).contains("b1");
    assertThat(queue.add("cyd", "c1")).as("both slots are taken").isEmpty();
    assertThat(queue.inFlight()).isEqualTo(2);
    assertThat(queue.keysWaiting()).isEqualTo(1);

    assertThat(queue.done("bob")).as("the freed slot goes to the waiting key").contains("c1");
    assertThat(queue.inFlight()).isEqualTo(2);
    assertThat(queue.queued()).isZero();
  }

  @Test
  void aKeyWhoseItemCompletedGoesToTheBackOfTheReadyLine() {
    KeyOrderedQueue<String> queue = new KeyOrderedQueue<>(1);
    queue.add("ada", "a1");
    queue.add("ada", "a2");
    queue.add("ada", "a3");
    queue.add("bob", "b1");
    queue.add("cyd", "c1");

    // ada's a2 was added before bob's and cyd's items, but ada had its turn: the others go first
    assertThat(queue.done("ada")).contains("b1");
    assertThat(queue.done("bob")).contains("c1");
    assertThat(queue.done("cyd")).contains("a2");
    assertThat(queue.done("ada")).contains("a3");
    assertThat(queue.done("ada")).isEmpty();
  }

  @Test
  void aBusyKeyAlternatesWithTheOthersInsteadOfStarvingThem() {
    KeyOrderedQueue<String> queue = new KeyOrderedQueue<>(1);
    for (int i = 1; i <= 3; i++) {
      queue.add("busy", "busy" + i);
    }
    queue.add("ada", "ada1");
    queue.add("ada", "ada2");

    StringBuilder order = new StringBuilder("busy1");
    Optional<String> next = queue.done("busy");
    String runningKey = "busy";
    while (next.isPresent()) {
      String item = next.get();
      order.append(' ').append(item);
      runningKey = item.replaceAll("\\d", "");
      next = queue.done(runningKey);
    }
    assertThat(order.toString()).isEqualTo("busy1 ada1 busy2 ada2 busy3");
  }

  @Test
  void aFailedItemDoesNotStopItsKey() {
    // the queue does not know outcomes: a failure is reported with done, as a success is
    KeyOrderedQueue<String> queue = new KeyOrderedQueue<>(1);
    queue.add("ada", "a1");
    queue.add("ada", "a2");
    assertThat(queue.done("ada")).as("a1 failed; a2 still starts").contains("a2");
  }

  @Test
  void keysWithNothingRunningOrWaitingAreForgotten() {
    KeyOrderedQueue<Integer> queue = new KeyOrderedQueue<>(3);
    for (int author = 0; author < 10_000; author++) {
      queue.add("author-" + author, author);
    }
    assertThat(queue.keys()).isEqualTo(10_000);
    for (int author = 0; author < 10_000; author++) {
      queue.done("author-" + author);
    }
    assertThat(queue.keys()).isZero();
    assertThat(queue.idle()).isTrue();
    assertThat(queue.keysWaiting()).isZero();
  }

  @Test
  void removingTheWaitingItemsLeavesTheRunningOnesToComplete() {
    KeyOrderedQueue<String> queue = new KeyOrderedQueue<>(1);
    queue.add("ada", "a1");
    queue.add("ada", "a2");
    queue.add("bob", "b1");
    queue.add("bob", "b2");

    assertThat(queue.removeWaiting()).containsExactlyInAnyOrder("a2", "b1", "b2")
        .containsSubsequence("b1", "b2");
    assertThat(queue.queued()).isZero();
    assertThat(queue.keysWaiting()).isZero();
    assertThat(queue.keys()).as("only ada, whose a1 runs").isEqualTo(1);
    assertThat(queue.inFlight()).isEqualTo(1);

    assertThat(queue.done("ada")).isEmpty();
    assertThat(queue.idle()).isTrue();
    assertThat(queue.keys()).isZero();
    assertThat(queue.add("bob", "b3")).as("the queue goes on after removing").contains("b3");
  }

  @Test
  void aCompletionOfAKeyWithNothingRunningIsRefused() {
    KeyOrderedQueue<String> queue = new KeyOrderedQueue<>(1);
    assertThatThrownBy(() -> queue.done("ada")).isInstanceOf(IllegalStateException.class);
    queue.add("ada", "a1");
    queue.add("bob", "b1");
    assertThatThrownBy(() -> queue.done("bob")).as("bob's item waits, it does not run")
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theBoundMustBePositive() {
    assertThatThrownBy(() -> new KeyOrderedQueue<String>(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxInFlight");
  }
}
