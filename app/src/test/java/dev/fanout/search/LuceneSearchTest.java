package dev.fanout.search;

/** Search on the embedded Lucene index (the default). */
class LuceneSearchTest extends SearchContractBase {

  @Override
  protected String[] engineFlags() {
    return new String[] {"--search", "lucene"};
  }
}
