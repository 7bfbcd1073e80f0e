package dev.fanout.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/** The requests the simulations are made of; the feeder's fields fill them. */
final class Requests {

  private Requests() {
  }

  static HttpProtocolBuilder protocol(Settings settings) {
    // shared keep-alive connections, as a fleet of clients behind a proxy would use them. Gatling's default
    // of 6 per host (a browser's) made the generator, not the app, the queue. The limit does not hold
    // under a backlog: at 2,000/s offered Gatling opened sockets until 'Too many open files' (20,000).
    return http.baseUrl(settings.url()).acceptHeader("application/json").shareConnections()
        .maxConnectionsPerHost(settings.connections());
  }

  /**
   * A publish as the fed author: with its token when {@code feeder} has tokens. The body keeps authorId, the
   * token's subject (the app checks that they match; jars from before author tokens need it).
   */
  static HttpRequestActionBuilder publish(BlogFeeder feeder) {
    HttpRequestActionBuilder publish = http("publish").post("/api/blogs").header("Content-Type", "application/json");
    if (feeder.hasTokens()) {
      publish = publish.header("Authorization", "#{authorization}");
    }
    return publish
        .body(StringBody("{\"authorId\":\"#{authorId}\",\"title\":\"#{title}\",\"body\":\"#{body}\",\"tags\":#{tags}}"))
        .check(status().is(201));
  }

  static HttpRequestActionBuilder search() {
    return http("search").get("/api/search").queryParam("q", "#{word}").queryParam("limit", "10")
        .check(status().is(200));
  }

  static HttpRequestActionBuilder authorCount() {
    return http("author count").get("/api/authors/#{authorId}").check(status().is(200));
  }
}
