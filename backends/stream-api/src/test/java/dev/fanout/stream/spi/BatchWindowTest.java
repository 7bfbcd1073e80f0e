package dev.fanout.stream.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The committable offset of a partition whose batches complete in any order, checked against a model: the
 * end of the longest run of succeeded batches from the start.
 */
class BatchWindowTest {

  /** One batch of the model: its first offset and end, and whether it succeeded. */
  private static final class Modelled {
    final long first;
    final long end;
    boolean succeeded;

    Modelled(long first, long end) {
      this.first = first;
      this.end = end;
    }
  }

  // The end of the longest run of succeeded batches from the start.
  private static long prefixEnd(long start, List<Modelled> batches) {
    long end = start;
    for (Modelled batch : batches) {
      if (!batch.succeeded) {
        break;
      }
      end = batch.end;
    }
    return end;
  }

  @Property
  void commitsTheContiguousPrefixWhateverTheCompletionOrder(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 5) Integer> sizes,
      @ForAll @IntRange(min = 1, max = 8) int maxInFlight, @ForAll @IntRange(min = 0, max = 3) int gap,
      @ForAll Random random) {
    long start = 7;
    BatchWindow window = new BatchWindow(start);
    List<Modelled> handed = new ArrayList<>();
    List<Modelled> inFlight = new ArrayList<>();
    long offset = start;
    int toHandOut = 0;
    while (toHandOut < sizes.size() || !inFlight.isEmpty()) {
      // hand out while allowed, then complete one batch in flight, chosen at random
      while (toHandOut < sizes.size() && window.canHandOut(maxInFlight)) {
        // now and then the log has a gap before the batch's first record
        long first = offset + (random.nextInt(4) == 0 ? gap : 0);
        Modelled batch = new Modelled(first, first + sizes.get(toHandOut++));
        window.handedOut(batch.first, batch.end);
        handed.add(batch);
        inFlight.add(batch);
        offset = batch.end;
      }
      assertThat(window.inFlight()).isEqualTo(inFlight.size()).isLessThanOrEqualTo(maxInFlight);
      assertThat(window.next()).isEqualTo(offset);
      Modelled done = inFlight.remove(random.nextInt(inFlight.size()));
      long before = window.committed();
      done.succeeded = true;
      boolean advanced = window.succeeded(done.first);
      assertThat(window.committed()).isEqualTo(prefixEnd(start, handed));
      assertThat(advanced).isEqualTo(window.committed() != before);
    }
    assertThat(window.committed()).isEqualTo(offset);
    assertThat(window.restartDue()).isFalse();
  }

  @Property
  void aFailureStopsTheWindowAndTheCommitStopsBeforeIt(
      @ForAll @Size(min = 2, max = 20) List<@IntRange(min = 1, max = 4) Integer> sizes,
      @ForAll Random random) {
    BatchWindow window = new BatchWindow(0);
    List<Modelled> handed = new ArrayList<>();
    long offset = 0;
    for (int size : sizes) {
      Modelled batch = new Modelled(offset, offset + size);
      window.handedOut(batch.first, batch.end);
      handed.add(batch);
      offset = batch.end;
    }
    int failing = random.nextInt(handed.size());
    List<Modelled> order = new ArrayList<>(handed);
    Collections.shuffle(order, random);
    for (Modelled batch : order) {
      assertThat(window.restartDue()).as("due only once nothing is in flight").isFalse();
      if (batch == handed.get(failing)) {
        window.failed(batch.first);
        assertThat(window.canHandOut(Integer.MAX_VALUE)).isFalse();
      } else {
        batch.succeeded = true;
        window.succeeded(batch.first);
      }
    }
    assertThat(window.restartDue()).isTrue();
    assertThat(window.committed()).as("the end of the batches before the failed one")
        .isEqualTo(handed.get(failing).first);
    assertThat(window.committed()).isEqualTo(prefixEnd(0, handed.subList(0, failing)));
    assertThatThrownBy(() -> window.handedOut(window.next(), window.next() + 1))
        .isInstanceOf(IllegalStateException.class);
  }

  @Example
  void aGapBeforeABatchGoesWithItAndUnknownBatchesAreIgnored() {
    BatchWindow window = new BatchWindow(10);
    window.handedOut(10, 12);
    window.handedOut(15, 16);
    assertThat(window.succeeded(15)).as("held behind the batch at 10").isFalse();
    assertThat(window.committed()).isEqualTo(10);
    assertThat(window.succeeded(99)).isFalse();
    window.failed(98);
    assertThat(window.failed()).isFalse();
    assertThat(window.succeeded(10)).isTrue();
    assertThat(window.committed()).as("the gap 12..14 went with the batch at 15").isEqualTo(16);
    assertThatThrownBy(() -> window.handedOut(15, 17)).isInstanceOf(IllegalArgumentException.class);
  }
}
