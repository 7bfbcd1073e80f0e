package dev.fanout.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.stream.StreamRecord;
import dev.fanout.stream.kafka.MemberState.Batch;
import dev.fanout.stream.kafka.MemberState.Grant;
import dev.fanout.stream.kafka.MemberState.Moved;
import dev.fanout.stream.kafka.MemberState.Retry;
import dev.fanout.stream.kafka.MemberState.Seek;
import dev.fanout.stream.kafka.MemberState.Steps;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The member's decisions, synchronously and without a broker: what it hands out, pauses, seeks and commits. */
class MemberStateTest {

  // batches of 2, fetching pauses at 4 buffered records
  private final MemberState state = new MemberState(2, 4);

  private static List<StreamRecord> records(int partition, long from, long to) {
    return LongStream.range(from, to)
        .mapToObj(o -> new StreamRecord("t", partition, o, 0, "k", Map.of(), new byte[0]))
        .toList();
  }

  private static List<Long> offsets(Batch batch) {
    return batch.records().stream().map(StreamRecord::offset).toList();
  }

  private Batch onlyBatch(Steps steps) {
    assertThat(steps.batches()).hasSize(1);
    return steps.batches().get(0);
  }

  @Test
  void newPartitionsStartWhereTheConsumerFoundThemOrAreLookedUp() {
    List<Grant> lookups = state.assigned(List.of(0, 1, 2), p -> p == 1 ? null : 10L);
    assertThat(lookups).extracting(Grant::partition).containsExactly(1);
    assertThat(state.assignment()).containsExactly(0, 1, 2);

    assertThat(state.assigned(List.of(0, 1), p -> null)).as("partitions already owned keep their grant").isEmpty();

    state.positionKnown(lookups.get(0), 20);
    assertThat(state.fetched(1, records(1, 20, 21))).as("starts where it was looked up").isEmpty();
    assertThat(state.fetched(0, records(0, 10, 11))).isEmpty();
  }

  @Test
  void handsOutOneBatchPerPartitionAtATimeAndCommitsAfterSuccess() {
    state.assigned(List.of(0), p -> 0L);
    state.fetched(0, records(0, 0, 3));

    Batch first = onlyBatch(state.nextSteps());
    assertThat(offsets(first)).containsExactly(0L, 1L);
    assertThat(state.nextSteps().batches()).as("one batch in flight per partition").isEmpty();
    assertThat(state.inFlight(first.grant())).isTrue();

    assertThat(state.batchDone(first, true)).isEmpty();
    assertThat(state.inFlight(first.grant())).isFalse();
    assertThat(state.commitsDue()).containsExactlyEntriesOf(Map.of(0, 2L));
    assertThat(state.commitsDue()).as("taken out of the queue").isEmpty();
    assertThat(offsets(onlyBatch(state.nextSteps()))).containsExactly(2L);
  }

  @Test
  void reportsWithAStaleGenerationAreIgnoredAfterThePartitionCameBack() {
    List<Grant> lookups = state.assigned(List.of(0), p -> null);
    Grant old = lookups.get(0);
    state.positionKnown(old, 0);
    state.fetched(0, records(0, 0, 2));
    Batch abandoned = onlyBatch(state.nextSteps());

    assertThat(state.revoked(List.of(0))).containsExactly(old);
    Grant renewed = state.assigned(List.of(0), p -> null).get(0);
    assertThat(renewed.generation()).isNotEqualTo(old.generation());

    state.positionKnown(old, 99);
    state.positionKnown(renewed, 5);
    assertThat(state.batchDone(abandoned, false)).as("no retry for a batch of a stale grant").isEmpty();
    assertThat(state.inFlight(old)).isFalse();
    assertThat(state.commitsDue()).isEmpty();
    assertThat(state.restartAt(old, 0)).isEmpty();
    assertThat(state.retrySeekDone(new Retry(old, 1))).isFalse();

    assertThat(state.fetched(0, records(0, 5, 6))).as("the stale position was ignored").isEmpty();
    assertThat(offsets(onlyBatch(state.nextSteps()))).containsExactly(5L);
  }

  @Test
  void aFailedBatchBlocksItsPartitionThenSeeksBackToItsFirstOffset() {
    state.assigned(List.of(0), p -> 0L);
    state.fetched(0, records(0, 0, 3));
    Batch failed = onlyBatch(state.nextSteps());

    Retry retry = state.batchDone(failed, false).orElseThrow();
    Steps blocked = state.nextSteps();
    assertThat(blocked.batches()).isEmpty();
    assertThat(blocked.pause()).as("fetching pauses while the retry waits").containsExactly(0);
    state.fetched(0, records(0, 3, 4));
    assertThat(state.nextSteps().batches()).as("records fetched meanwhile are dropped").isEmpty();

    assertThat(state.retryDue(retry)).contains(new Seek(retry.grant(), 0));
    assertThat(state.retrySeekDone(retry)).isTrue();
    assertThat(state.nextSteps().resume()).containsExactly(0);
    state.fetched(0, records(0, 0, 2));
    assertThat(offsets(onlyBatch(state.nextSteps()))).containsExactly(0L, 1L);
  }

  @Test
  void anOffsetResetRestartsThePartitionAndMakesAPendingRetryStale() {
    state.assigned(List.of(0), p -> 0L);
    state.fetched(0, records(0, 0, 2));
    Retry retry = state.batchDone(onlyBatch(state.nextSteps()), false).orElseThrow();

    List<Grant> held = state.holdForReset(List.of(0, 7));
    assertThat(held).extracting(Grant::partition).as("only owned partitions").containsExactly(0);
    assertThat(state.restartAt(held.get(0), 10)).contains(new Seek(held.get(0), 10));
    assertThat(state.commitsDue()).containsExactlyEntriesOf(Map.of(0, 10L));
    assertThat(state.retryDue(retry)).as("the reset's seek replaced the retry's").isEmpty();

    state.fetched(0, records(0, 2, 3));
    assertThat(state.nextSteps().batches()).as("fetched before the seek completed").isEmpty();
    state.seekDone(held.get(0));
    state.fetched(0, records(0, 10, 11));
    assertThat(offsets(onlyBatch(state.nextSteps()))).containsExactly(10L);
  }

  @Test
  void aPausedMemberHandsOutNothingAndAFullBufferPausesFetching() {
    state.assigned(List.of(0), p -> 0L);
    state.pause(true);
    state.fetched(0, records(0, 0, 4));
    Steps paused = state.nextSteps();
    assertThat(paused.batches()).isEmpty();
    assertThat(paused.pause()).containsExactly(0);

    state.pause(false);
    Steps resumed = state.nextSteps();
    assertThat(offsets(onlyBatch(resumed))).containsExactly(0L, 1L);
    assertThat(resumed.resume()).containsExactly(0);
  }

  @Test
  void beforeARevocationCompletedBatchesAreCommittedAndNoNewOneStarts() {
    state.assigned(List.of(0), p -> 0L);
    state.fetched(0, records(0, 0, 4));
    Batch batch = onlyBatch(state.nextSteps());

    List<Grant> held = state.holdForRevoke(List.of(0));
    assertThat(state.inFlight(held.get(0))).as("the revocation waits for it").isTrue();
    state.batchDone(batch, true);
    assertThat(state.nextSteps().batches()).as("held back").isEmpty();
    assertThat(state.commitsBeforeRevoke(held)).containsExactlyEntriesOf(Map.of(0, 2L));
    assertThat(state.commitsDue()).as("committed before the revocation, not again").isEmpty();
  }

  @Test
  void aCrashedMemberAbandonsItsBatchesAndCommitsNothing() {
    state.assigned(List.of(0), p -> 0L);
    state.fetched(0, records(0, 0, 4));
    Batch batch = onlyBatch(state.nextSteps());

    assertThat(state.crash()).isTrue();
    assertThat(state.crash()).isFalse();
    assertThat(state.holdForRevoke(List.of(0))).isEmpty();
    assertThat(state.stopping()).as("nothing to wait for").isEmpty();
    assertThat(state.batchDone(batch, true)).isEmpty();
    assertThat(state.commitsDue()).isEmpty();
  }

  @Test
  void onlyCommitsOfOwnedPartitionsAreSentAndAFailedOneIsQueuedAgain() {
    state.assigned(List.of(0, 1), p -> 0L);
    state.fetched(0, records(0, 0, 2));
    state.fetched(1, records(1, 0, 2));
    for (Batch batch : state.nextSteps().batches()) {
      state.batchDone(batch, true);
    }
    state.revoked(List.of(1));
    Map<Integer, Long> due = state.commitsDue();
    assertThat(due).containsExactlyEntriesOf(Map.of(0, 2L));

    state.commitFailed(Map.of(0, 2L, 1, 2L));
    assertThat(state.commitsDue()).as("again, without the partition that went").containsExactlyEntriesOf(Map.of(0, 2L));

    state.fetched(0, records(0, 2, 4));
    state.batchDone(onlyBatch(state.nextSteps()), true);
    state.commitFailed(Map.of(0, 2L));
    assertThat(state.commitsDue()).as("a newer offset wins").containsExactlyEntriesOf(Map.of(0, 4L));
  }

  @Test
  void theConsumerMovingAPartitionByItselfIsReportedAndFollowed() {
    state.assigned(List.of(0), p -> 5L);
    List<Moved> moves = state.fetched(0, records(0, 12, 14));
    assertThat(moves).containsExactly(new Moved(0, 5, 12));
    assertThat(offsets(onlyBatch(state.nextSteps()))).containsExactly(12L, 13L);
  }

  @Test
  void aStoppingMemberWaitsForItsBatchesAndAClosedOneForgetsEverything() {
    state.assigned(List.of(0, 1), p -> 0L);
    state.fetched(0, records(0, 0, 4));
    Batch batch = onlyBatch(state.nextSteps());

    assertThat(state.stopping()).extracting(Grant::partition).containsExactly(0, 1);
    assertThat(state.phase()).isEqualTo(MemberState.Phase.STOPPING);
    assertThat(state.batchDone(batch, true)).isEmpty();
    assertThat(state.nextSteps().batches()).as("no new batch while leaving").isEmpty();
    assertThat(state.holdForReset(List.of(0))).as("no reset while leaving").isEmpty();
    assertThat(state.commitsDue()).as("what completed is still committed").containsExactlyEntriesOf(Map.of(0, 2L));

    state.close();
    assertThat(state.assignment()).isEmpty();
    assertThat(state.assigned(List.of(2), p -> 0L)).isEmpty();
    assertThat(state.assignment()).isEmpty();
    assertThat(state.fetched(0, records(0, 4, 5))).isEmpty();
    Steps after = state.nextSteps();
    assertThat(after.batches()).isEmpty();
    assertThat(after.pause()).isEmpty();
    assertThat(after.resume()).isEmpty();
  }
  // ---- several batches of a partition in flight ----

  private static Batch batchAt(List<Batch> batches, long firstOffset) {
    return batches.stream().filter(b -> b.records().get(0).offset() == firstOffset).findFirst().orElseThrow();
  }

  @Test
  void handsOutUpToMaxInFlightBatchesInOrderAndCommitsTheContiguousPrefix() {
    MemberState pipelined = new MemberState(1, 10, 3);
    pipelined.assigned(List.of(0), p -> 0L);
    pipelined.fetched(0, records(0, 0, 6));
    List<Batch> out = pipelined.nextSteps().batches();
    assertThat(out).extracting(b -> b.records().get(0).offset()).containsExactly(0L, 1L, 2L);
    assertThat(pipelined.nextSteps().batches()).as("three in flight").isEmpty();

    assertThat(pipelined.batchDone(batchAt(out, 2), true)).isEmpty();
    assertThat(pipelined.commitsDue()).as("offset 0 and 1 still in flight").isEmpty();
    assertThat(offsets(onlyBatch(pipelined.nextSteps()))).containsExactly(3L);
    pipelined.batchDone(batchAt(out, 0), true);
    assertThat(pipelined.commitsDue()).containsExactlyEntriesOf(Map.of(0, 1L));
    pipelined.batchDone(batchAt(out, 1), true);
    assertThat(pipelined.commitsDue()).as("the gap closed").containsExactlyEntriesOf(Map.of(0, 3L));
  }

  @Test
  void aFailureWaitsForTheOtherBatchesInFlightThenSeeksBackToTheCommittedOffset() {
    MemberState pipelined = new MemberState(1, 10, 3);
    pipelined.assigned(List.of(0), p -> 0L);
    pipelined.fetched(0, records(0, 0, 6));
    List<Batch> out = pipelined.nextSteps().batches();

    assertThat(pipelined.batchDone(batchAt(out, 1), false)).as("batches 0 and 2 still in flight").isEmpty();
    Steps blocked = pipelined.nextSteps();
    assertThat(blocked.batches()).isEmpty();
    assertThat(blocked.pause()).containsExactly(0);
    assertThat(pipelined.batchDone(batchAt(out, 2), true)).isEmpty();
    Retry retry = pipelined.batchDone(batchAt(out, 0), true).orElseThrow();
    assertThat(pipelined.commitsDue()).as("the prefix before the failed batch").containsExactlyEntriesOf(Map.of(0, 1L));

    assertThat(pipelined.retryDue(retry)).contains(new Seek(retry.grant(), 1));
    assertThat(pipelined.retrySeekDone(retry)).isTrue();
    pipelined.fetched(0, records(0, 1, 4));
    assertThat(pipelined.nextSteps().batches()).as("the failed batch and the one after it that succeeded, again")
        .extracting(b -> b.records().get(0).offset()).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aRevocationWaitsForEveryBatchInFlightAndCommitsThePrefix() {
    MemberState pipelined = new MemberState(1, 10, 3);
    pipelined.assigned(List.of(0), p -> 0L);
    pipelined.fetched(0, records(0, 0, 6));
    List<Batch> out = pipelined.nextSteps().batches();

    List<Grant> held = pipelined.holdForRevoke(List.of(0));
    pipelined.batchDone(batchAt(out, 0), true);
    pipelined.batchDone(batchAt(out, 2), true);
    assertThat(pipelined.inFlight(held.get(0))).as("offset 1 still in flight").isTrue();
    assertThat(pipelined.nextSteps().batches()).as("held back").isEmpty();
    pipelined.batchDone(batchAt(out, 1), false);
    assertThat(pipelined.inFlight(held.get(0))).isFalse();
    assertThat(pipelined.commitsBeforeRevoke(held)).containsExactlyEntriesOf(Map.of(0, 1L));
  }
}
