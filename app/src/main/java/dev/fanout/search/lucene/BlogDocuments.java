package dev.fanout.search.lucene;

import dev.fanout.events.BlogEvent;
import dev.fanout.search.SearchEngine.IndexedBlog;
import dev.fanout.search.SearchResult;
import java.io.IOException;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * How a blog is kept in the index: one document per blog, keyed by its id, carrying the version of the
 * event that wrote it. Deleted blogs stay as tombstone documents that carry their version and never match
 * a search (they have no text, and {@code deleted} is {@code "true"}).
 *
 * <p>Stateless; every method may run on any worker thread.
 */
final class BlogDocuments {

  /** The blog id, not analyzed: the key a newer version replaces its document by. */
  static final String BLOG_ID = "blogId";
  static final String AUTHOR_ID = "authorId";
  static final String VERSION = "version";
  /** The version again, as a doc value: looked up per written event without decompressing stored fields. */
  static final String VERSION_VALUE = "versionValue";
  /** {@code "true"} on tombstones, {@code "false"} on live blogs. */
  static final String DELETED = "deleted";
  /** One exact term per tag, for the tag filter. */
  static final String TAG = "tag";
  /** Epoch milliseconds, 0 when unknown; sorts ties of score, newest first. */
  static final String PUBLISHED_AT_SORT = "publishedAtSort";
  static final String TITLE = "title";
  static final String BODY = "body";
  /** The tags again, analyzed, so that a query's words find them as they find the title's. */
  static final String TAG_TEXT = "tagtext";
  /** The analyzed fields a query's text searches. */
  static final String[] TEXT_FIELDS = {TITLE, BODY, TAG_TEXT};
  private static final String PUBLISHED_AT = "publishedAt";

  private BlogDocuments() {
  }

  /** The term that finds the blog's document. */
  static Term blogId(String blogId) {
    return new Term(BLOG_ID, blogId);
  }

  /** The document an event leaves: the blog at the event's version, or its tombstone. */
  static Document document(BlogEvent event) {
    Document doc = new Document();
    doc.add(new StringField(BLOG_ID, event.blogId().toString(), Field.Store.YES));
    doc.add(new StringField(AUTHOR_ID, event.authorId(), Field.Store.YES));
    doc.add(new StoredField(VERSION, event.version()));
    doc.add(new NumericDocValuesField(VERSION_VALUE, event.version()));
    boolean deleted = event.type() == BlogEvent.Type.BlogDeleted;
    doc.add(new StringField(DELETED, Boolean.toString(deleted), Field.Store.YES));
    if (!deleted) {
      doc.add(new TextField(TITLE, event.title(), Field.Store.YES));
      doc.add(new TextField(BODY, event.body(), Field.Store.YES));
      for (String tag : event.tags()) {
        doc.add(new StringField(TAG, tag, Field.Store.YES));
        doc.add(new TextField(TAG_TEXT, tag, Field.Store.NO));
      }
      long published = event.publishedAt() == null ? 0 : event.publishedAt().toEpochMilli();
      doc.add(new StoredField(PUBLISHED_AT, event.publishedAt() == null ? "" : event.publishedAt().toString()));
      doc.add(new NumericDocValuesField(PUBLISHED_AT_SORT, published));
    } else {
      doc.add(new NumericDocValuesField(PUBLISHED_AT_SORT, 0));
    }
    return doc;
  }

  /**
   * The version of the blog's document that {@code searcher} sees; 0 when it sees none. Looks the id's term up
   * segment by segment and reads the version's doc value: no query, no scoring, no stored fields (which are
   * compressed in blocks with the bodies). A document written before the doc value existed is read from its
   * stored fields.
   */
  static int storedVersion(IndexSearcher searcher, String blogId) throws IOException {
    BytesRef id = new BytesRef(blogId);
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Terms terms = leaf.reader().terms(BLOG_ID);
      if (terms == null) {
        continue;
      }
      TermsEnum ids = terms.iterator();
      if (!ids.seekExact(id)) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      PostingsEnum docs = ids.postings(null, PostingsEnum.NONE);
      for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        NumericDocValues versions = leaf.reader().getNumericDocValues(VERSION_VALUE);
        if (versions != null && versions.advanceExact(doc)) {
          return (int) versions.longValue();
        }
        return version(leaf.reader().storedFields().document(doc));
      }
    }
    return 0;
  }

  /** A search hit from a live blog's stored fields and its snippet. */
  static SearchResult.Hit hit(Document doc, String snippet) {
    return new SearchResult.Hit(doc.get(BLOG_ID), doc.get(AUTHOR_ID), doc.get(TITLE), snippet,
        List.of(doc.getValues(TAG)), doc.get(PUBLISHED_AT));
  }

  /** What the document holds for its blog, tombstone or not. */
  static IndexedBlog indexedBlog(Document doc) {
    return new IndexedBlog(doc.get(BLOG_ID), doc.get(AUTHOR_ID), version(doc), "true".equals(doc.get(DELETED)));
  }

  private static int version(Document doc) {
    return doc.getField(VERSION).numericValue().intValue();
  }
}
