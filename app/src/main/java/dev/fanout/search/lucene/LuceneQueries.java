package dev.fanout.search.lucene;

import dev.fanout.search.SearchEngine.IndexedBlog;
import dev.fanout.search.SearchQuery;
import dev.fanout.search.SearchResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
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
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;

/**
 * Turns a {@link SearchQuery} into Lucene queries and runs them on a searcher: the text in Lucene's classic
 * syntax over the text fields, live blogs only, filtered by author and tag, best score first and the newest
 * first among equal scores. A text that does not parse, or that expands to too many terms, is a 400
 * {@code invalid_query} naming {@code q}.
 *
 * <p>Thread-safe (the query parser is made per call); runs on worker threads, as searches do.
 */
final class LuceneQueries {

  private final Analyzer analyzer;

  /** @param analyzer the one the index was written with, so that a query's words are the index's terms */
  LuceneQueries(Analyzer analyzer) {
    this.analyzer = analyzer;
  }

  /** The query for the text part of a search; all documents when the text is empty. */
  Query text(String text) {
    if (text.isEmpty()) {
      return new MatchAllDocsQuery();
    }
    try {
      return new MultiFieldQueryParser(BlogDocuments.TEXT_FIELDS, analyzer).parse(text);
    } catch (ParseException | RuntimeException e) {
      throw SearchQuery.invalidQuery("q is not a valid query");
    }
  }

  /**
   * The page of live blogs {@code query} asks for, with the total that match, on what {@code searcher}
   * sees; {@code text} is {@link #text} of the query's text.
   */
  SearchResult search(IndexSearcher searcher, SearchQuery query, Query text) throws IOException {
    BooleanQuery.Builder builder = new BooleanQuery.Builder()
        .add(text, BooleanClause.Occur.MUST)
        .add(new TermQuery(new Term(BlogDocuments.DELETED, "false")), BooleanClause.Occur.FILTER);
    if (query.author() != null) {
      builder.add(new TermQuery(new Term(BlogDocuments.AUTHOR_ID, query.author())), BooleanClause.Occur.FILTER);
    }
    if (query.tag() != null) {
      builder.add(new TermQuery(new Term(BlogDocuments.TAG, query.tag())), BooleanClause.Occur.FILTER);
    }
    Query full = builder.build();
    try {
      int total = searcher.count(full);
      Sort sort = new Sort(SortField.FIELD_SCORE,
          new SortField(BlogDocuments.PUBLISHED_AT_SORT, SortField.Type.LONG, true));
      TopDocs top = searcher.search(full, query.offset() + query.limit(), sort, true);
      Snippets snippets = new Snippets(analyzer, text);
      List<SearchResult.Hit> hits = new ArrayList<>();
      ScoreDoc[] docs = top.scoreDocs;
      for (int i = query.offset(); i < docs.length; i++) {
        Document doc = searcher.storedFields().document(docs[i].doc);
        hits.add(BlogDocuments.hit(doc, snippets.of(doc)));
      }
      return new SearchResult(total, hits);
    } catch (TooManyClauses e) {
      throw SearchQuery.invalidQuery("q matches too many terms; make it more specific");
    }
  }

  /** Up to {@code limit} documents, tombstones included, in index order; at least one is asked for. */
  static List<IndexedBlog> list(IndexSearcher searcher, int limit) throws IOException {
    List<IndexedBlog> blogs = new ArrayList<>();
    for (ScoreDoc hit : searcher.search(new MatchAllDocsQuery(), Math.max(1, limit)).scoreDocs) {
      blogs.add(BlogDocuments.indexedBlog(searcher.storedFields().document(hit.doc)));
    }
    return blogs;
  }
}
