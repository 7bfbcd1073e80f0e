package dev.fanout.search.lucene;

import dev.fanout.app.ApiError;
import dev.fanout.events.BlogEvent;
import dev.fanout.search.SearchEngine;
import dev.fanout.search.SearchQuery;
import dev.fanout.search.SearchResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.IndexSearcher.TooManyClauses;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.highlight.Highlighter;
import org.apache.lucene.search.highlight.InvalidTokenOffsetsException;
import org.apache.lucene.search.highlight.QueryScorer;
import org.apache.lucene.search.highlight.SimpleHTMLEncoder;
import org.apache.lucene.search.highlight.SimpleHTMLFormatter;
import org.apache.lucene.store.FSDirectory;

/**
 * The embedded search engine: a Lucene index under the data directory, in this JVM.
 *
 * <p>Writes are serialized by a lock and run on worker threads: a batch looks up the stored version of
 * each blog (in a freshly refreshed near-real-time reader), writes only newer versions, and commits before
 * its future succeeds. A near-real-time reader is refreshed every {@value #REFRESH_MILLIS} ms and after
 * every batch, so a publish is searchable well within 250 ms. Deleted blogs stay as tombstone documents
 * that carry their version and never match a search.
 */
public final class LuceneSearchEngine implements SearchEngine {

  static final long REFRESH_MILLIS = 50;
  private static final int SNIPPET_CHARS = 200;
  private static final String[] TEXT_FIELDS = {"title", "body", "tagtext"};

  private final Vertx vertx;
  private final Path directory;
  private final Analyzer analyzer = new StandardAnalyzer();
  // serializes index writes and commits; taken on worker threads only
  private final ReentrantLock writes = new ReentrantLock();
  // set once by start() on a worker, then only read
  private volatile FSDirectory store;
  private volatile IndexWriter writer;
  private volatile SearcherManager searchers;
  // timer id, accessed on the starting context
  private long refreshTimer = -1;

  public LuceneSearchEngine(Vertx vertx, Path directory) {
    this.vertx = vertx;
    this.directory = directory;
  }

  @Override
  public String name() {
    return "lucene";
  }

  @Override
  public Future<Void> start() {
    return vertx.<Void>executeBlocking(() -> {
      Files.createDirectories(directory);
      store = FSDirectory.open(directory);
      writer = new IndexWriter(store, new IndexWriterConfig(analyzer)
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
      searchers = new SearcherManager(writer, null);
      return null;
    }).onSuccess(v -> refreshTimer = vertx.setPeriodic(REFRESH_MILLIS, id -> vertx.executeBlocking(() -> {
      searchers.maybeRefresh();
      return null;
    }, false)));
  }

  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    return vertx.executeBlocking(() -> {
      writes.lock();
      try {
        searchers.maybeRefreshBlocking();
        Map<String, Integer> written = new HashMap<>();
        IndexSearcher searcher = searchers.acquire();
        try {
          for (BlogEvent event : events) {
            String blogId = event.blogId().toString();
            int stored = written.containsKey(blogId) ? written.get(blogId) : storedVersion(searcher, blogId);
            if (event.version() <= stored) {
              continue; // a repeated or older event: the index already has this version or a newer one
            }
            writer.updateDocument(new Term("blogId", blogId), document(event));
            written.put(blogId, event.version());
          }
        } finally {
          searchers.release(searcher);
        }
        if (!written.isEmpty()) {
          writer.commit();
          searchers.maybeRefresh();
        }
        return null;
      } finally {
        writes.unlock();
      }
    }, false);
  }

  @Override
  public Future<SearchResult> search(SearchQuery query) {
    return vertx.executeBlocking(() -> {
      Query text = textQuery(query.text());
      BooleanQuery.Builder builder = new BooleanQuery.Builder()
          .add(text, BooleanClause.Occur.MUST)
          .add(new TermQuery(new Term("deleted", "false")), BooleanClause.Occur.FILTER);
      if (query.author() != null) {
        builder.add(new TermQuery(new Term("authorId", query.author())), BooleanClause.Occur.FILTER);
      }
      if (query.tag() != null) {
        builder.add(new TermQuery(new Term("tag", query.tag())), BooleanClause.Occur.FILTER);
      }
      Query full = builder.build();
      IndexSearcher searcher = searchers.acquire();
      try {
        int total = searcher.count(full);
        Sort sort = new Sort(SortField.FIELD_SCORE, new SortField("publishedAtSort", SortField.Type.LONG, true));
        TopDocs top = searcher.search(full, query.offset() + query.limit(), sort, true);
        Highlighter highlighter = new Highlighter(new SimpleHTMLFormatter("<mark>", "</mark>"),
            new SimpleHTMLEncoder(), new QueryScorer(text));
        List<SearchResult.Hit> hits = new ArrayList<>();
        ScoreDoc[] docs = top.scoreDocs;
        for (int i = query.offset(); i < docs.length; i++) {
          Document doc = searcher.storedFields().document(docs[i].doc);
          hits.add(new SearchResult.Hit(doc.get("blogId"), doc.get("authorId"), doc.get("title"),
              snippet(highlighter, doc), List.of(doc.getValues("tag")), doc.get("publishedAt")));
        }
        return new SearchResult(total, hits);
      } catch (TooManyClauses e) {
        throw new ApiError(400, "invalid_query", "q matches too many terms; make it more specific", "q");
      } finally {
        searchers.release(searcher);
      }
    }, false);
  }

  @Override
  public Future<Void> ping() {
    return searchers == null ? Future.failedFuture(new IllegalStateException("the index is not open"))
        : Future.succeededFuture();
  }

  @Override
  public Future<List<IndexedBlog>> list(int limit) {
    return vertx.executeBlocking(() -> {
      IndexSearcher searcher = searchers.acquire();
      try {
        List<IndexedBlog> blogs = new ArrayList<>();
        for (ScoreDoc hit : searcher.search(new MatchAllDocsQuery(), Math.max(1, limit)).scoreDocs) {
          Document doc = searcher.storedFields().document(hit.doc);
          blogs.add(new IndexedBlog(doc.get("blogId"), doc.get("authorId"),
              doc.getField("version").numericValue().intValue(), "true".equals(doc.get("deleted"))));
        }
        return blogs;
      } finally {
        searchers.release(searcher);
      }
    }, false);
  }

  @Override
  public Future<Void> close() {
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    return vertx.executeBlocking(() -> {
      writes.lock();
      try {
        if (searchers != null) {
          searchers.close();
        }
        if (writer != null) {
          writer.close();
        }
        if (store != null) {
          store.close();
        }
        return null;
      } finally {
        writes.unlock();
      }
    });
  }

  private static int storedVersion(IndexSearcher searcher, String blogId) throws IOException {
    TopDocs found = searcher.search(new TermQuery(new Term("blogId", blogId)), 1);
    if (found.scoreDocs.length == 0) {
      return 0;
    }
    return searcher.storedFields().document(found.scoreDocs[0].doc).getField("version").numericValue().intValue();
  }

  private static Document document(BlogEvent event) {
    Document doc = new Document();
    doc.add(new StringField("blogId", event.blogId().toString(), Field.Store.YES));
    doc.add(new StringField("authorId", event.authorId(), Field.Store.YES));
    doc.add(new StoredField("version", event.version()));
    boolean deleted = event.type() == BlogEvent.Type.BlogDeleted;
    doc.add(new StringField("deleted", Boolean.toString(deleted), Field.Store.YES));
    if (!deleted) {
      doc.add(new TextField("title", event.title(), Field.Store.YES));
      doc.add(new TextField("body", event.body(), Field.Store.YES));
      for (String tag : event.tags()) {
        doc.add(new StringField("tag", tag, Field.Store.YES));
        doc.add(new TextField("tagtext", tag, Field.Store.NO));
      }
      long published = event.publishedAt() == null ? 0 : event.publishedAt().toEpochMilli();
      doc.add(new StoredField("publishedAt", event.publishedAt() == null ? "" : event.publishedAt().toString()));
      doc.add(new NumericDocValuesField("publishedAtSort", published));
    } else {
      doc.add(new NumericDocValuesField("publishedAtSort", 0));
    }
    return doc;
  }

  private Query textQuery(String text) {
    if (text.isEmpty()) {
      return new MatchAllDocsQuery();
    }
    try {
      return new MultiFieldQueryParser(TEXT_FIELDS, analyzer).parse(text);
    } catch (ParseException | RuntimeException e) {
      throw new ApiError(400, "invalid_query", "q is not a valid query", "q");
    }
  }

  // The best highlighted fragment of the body, else of the title, else the start of the body; escaped.
  private String snippet(Highlighter highlighter, Document doc) throws IOException {
    try {
      for (String field : new String[] {"body", "title"}) {
        String fragment = highlighter.getBestFragment(analyzer, field, doc.get(field));
        if (fragment != null) {
          return fragment;
        }
      }
    } catch (InvalidTokenOffsetsException e) {
      // fall through to the plain start of the body
    }
    String body = doc.get("body");
    return new SimpleHTMLEncoder().encodeText(body.length() > SNIPPET_CHARS ? body.substring(0, SNIPPET_CHARS) : body);
  }
}
