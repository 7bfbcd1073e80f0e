package dev.fanout.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.audit.Discrepancy.CountMismatch;
import dev.fanout.audit.Discrepancy.IndexDiffers;
import dev.fanout.audit.Discrepancy.Kind;
import dev.fanout.audit.Discrepancy.MissingFromIndex;
import dev.fanout.audit.Discrepancy.MissingFromTable;
import dev.fanout.search.SearchEngine.IndexedBlog;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit's findings as types, their wire form, and how a row and its index entry are judged. */
class DiscrepancyTest {

  @Test
  void kindsKeepTheirWireNames() {
    assertThat(Arrays.stream(Kind.values()).map(Kind::wireName)).containsExactly("count_mismatch",
        "missing_from_index", "missing_from_table", "deleted_but_searchable", "live_but_deleted_in_index",
        "stale_in_index", "ahead_of_table");
  }

  @Test
  void eachShapeEncodesItsKindFirstThenItsFields() {
    assertThat(new CountMismatch("a", 2, 1).toJson().encode())
        .isEqualTo("{\"kind\":\"count_mismatch\",\"authorId\":\"a\",\"expected\":2,\"counted\":1}");
    assertThat(new MissingFromIndex("b", "a", 3, true).toJson().encode())
        .isEqualTo("{\"kind\":\"missing_from_index\",\"blogId\":\"b\",\"authorId\":\"a\",\"version\":3,\"deleted\":true}");
    assertThat(new MissingFromTable("b", "a", 3, false).toJson().encode()).isEqualTo(
        "{\"kind\":\"missing_from_table\",\"blogId\":\"b\",\"authorId\":\"a\",\"indexedVersion\":3,\"indexedDeleted\":false}");
    assertThat(new IndexDiffers(Kind.STALE_IN_INDEX, "b", "a", 3, 2).toJson().encode())
        .isEqualTo("{\"kind\":\"stale_in_index\",\"blogId\":\"b\",\"authorId\":\"a\",\"version\":3,\"indexedVersion\":2}");
  }

  @Test
  void aRowAgainstItsIndexEntryJudgesTheDeletionFirstThenTheVersion() {
    assertThat(Audit.compare("b", "a", 2, false, null)).isEqualTo(new MissingFromIndex("b", "a", 2, false));
    assertThat(Audit.compare("b", "a", 2, false, new IndexedBlog("b", "a", 2, false))).isNull();
    assertThat(List.of(
        Audit.compare("b", "a", 2, true, new IndexedBlog("b", "a", 5, false)),
        Audit.compare("b", "a", 2, false, new IndexedBlog("b", "a", 1, true)),
        Audit.compare("b", "a", 2, false, new IndexedBlog("b", "a", 1, false)),
        Audit.compare("b", "a", 2, true, new IndexedBlog("b", "a", 3, true))))
        .extracting(Discrepancy::kind)
        .containsExactly(Kind.DELETED_BUT_SEARCHABLE, Kind.LIVE_BUT_DELETED_IN_INDEX, Kind.STALE_IN_INDEX,
            Kind.AHEAD_OF_TABLE);
  }

  @Test
  void onlyAnIndexBehindTheRowCanBeClosedByResending() {
    assertThat(new MissingFromIndex("b", "a", 2, false).indexBehind()).isTrue();
    assertThat(new IndexDiffers(Kind.DELETED_BUT_SEARCHABLE, "b", "a", 2, 1).indexBehind()).isTrue();
    assertThat(new IndexDiffers(Kind.DELETED_BUT_SEARCHABLE, "b", "a", 2, 2).indexBehind()).isFalse();
    assertThat(new IndexDiffers(Kind.AHEAD_OF_TABLE, "b", "a", 2, 3).indexBehind()).isFalse();
  }

  @Test
  void aDifferenceCarriesOnlyTheKindsOfItsShape() {
    assertThatThrownBy(() -> new IndexDiffers(Kind.COUNT_MISMATCH, "b", "a", 2, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
