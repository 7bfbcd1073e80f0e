package dev.fanout.search;

import dev.fanout.search.opensearch.OpenSearchServer;

/** Search on a real OpenSearch, started for this class. */
class OpenSearchSearchTest extends SearchContractBase {

  private OpenSearchServer server;

  @Override
  protected void startEngine() throws Exception {
    server = OpenSearchServer.start();
  }

  @Override
  protected void stopEngine() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected String[] engineFlags() {
    return new String[] {"--search", "opensearch", "--opensearch-url", server.baseUrl()};
  }
}
