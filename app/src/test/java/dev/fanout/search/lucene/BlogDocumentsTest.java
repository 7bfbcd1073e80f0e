package dev.fanout.search.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.BlogEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;

/** The version look-up a write makes for every event, over segments old and new. */
class BlogDocumentsTest {

  private static BlogEvent published(UUID blogId, int version) {
    Instant now = Instant.now();
    return new BlogEvent(UUID.randomUUID(), version == 1 ? BlogEvent.Type.BlogPublished : BlogEvent.Type.BlogUpdated,
        blogId, "ada", version, "title", "body", List.of(), now, now);
  }

  @Test
  void findsTheLiveVersionInAnySegmentAndReadsDocumentsWrittenBeforeTheDocValue() throws Exception {
    UUID updated = UUID.randomUUID();
    UUID old = UUID.randomUUID();
    try (ByteBuffersDirectory dir = new ByteBuffersDirectory();
         IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(new StandardAnalyzer())
             .setMergePolicy(NoMergePolicy.INSTANCE))) {
      writer.addDocument(BlogDocuments.document(published(updated, 1)));
      // a document as an earlier release wrote it, without the doc value
      Document earlier = new Document();
      earlier.add(new StringField(BlogDocuments.BLOG_ID, old.toString(), Field.Store.YES));
      earlier.add(new StoredField(BlogDocuments.VERSION, 7));
      writer.addDocument(earlier);
      writer.commit(); // both in a first segment; version 1 is then replaced by version 3 in a second
      writer.updateDocument(BlogDocuments.blogId(updated.toString()), BlogDocuments.document(published(updated, 3)));
      writer.commit();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        assertThat(reader.leaves()).hasSizeGreaterThan(1);
        assertThat(BlogDocuments.storedVersion(searcher, updated.toString())).as("the live one, not the replaced").isEqualTo(3);
        assertThat(BlogDocuments.storedVersion(searcher, old.toString())).as("from stored fields").isEqualTo(7);
        assertThat(BlogDocuments.storedVersion(searcher, UUID.randomUUID().toString())).isZero();
      }
    }
  }
}
