package dev.fanout.search.lucene;

import java.io.IOException;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.highlight.Highlighter;
import org.apache.lucene.search.highlight.InvalidTokenOffsetsException;
import org.apache.lucene.search.highlight.QueryScorer;
import org.apache.lucene.search.highlight.SimpleHTMLEncoder;
import org.apache.lucene.search.highlight.SimpleHTMLFormatter;

/**
 * The snippets of one search's hits: the words its text query matched, marked with {@code <mark>}, in
 * HTML-escaped text. One instance serves one search, on the thread that runs it (a Highlighter is not
 * thread-safe).
 */
final class Snippets {

  private static final int SNIPPET_CHARS = 200;

  private final Analyzer analyzer;
  private final Highlighter highlighter;

  /** @param analyzer the one the index was written with, so that the fragments' words match the query's */
  Snippets(Analyzer analyzer, Query text) {
    this.analyzer = analyzer;
    this.highlighter = new Highlighter(new SimpleHTMLFormatter("<mark>", "</mark>"), new SimpleHTMLEncoder(),
        new QueryScorer(text));
  }

  /** The best highlighted fragment of the body, else of the title, else the start of the body; escaped. */
  String of(Document doc) throws IOException {
    try {
      for (String field : new String[] {BlogDocuments.BODY, BlogDocuments.TITLE}) {
        String fragment = highlighter.getBestFragment(analyzer, field, doc.get(field));
        if (fragment != null) {
          return fragment;
        }
      }
    } catch (InvalidTokenOffsetsException e) {
      // fall through to the plain start of the body
    }
    String body = doc.get(BlogDocuments.BODY);
    return new SimpleHTMLEncoder().encodeText(body.length() > SNIPPET_CHARS ? body.substring(0, SNIPPET_CHARS) : body);
  }
}
