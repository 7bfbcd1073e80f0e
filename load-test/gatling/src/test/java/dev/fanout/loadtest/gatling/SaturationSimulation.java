package dev.fanout.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Publishes only, from a fixed number of clients ({@code fanout.users}, default 64) that each send their next
 * publish as soon as the last one is answered, for {@code fanout.seconds}: a closed model. Its throughput is
 * the rate the app sustains, and its latency what a client waits at that rate. Unlike an open model above
 * saturation, requests cannot queue without bound (in the app or in Gatling's sockets), so the run
 * measures the app's ceiling instead of a growing backlog.
 */
public class SaturationSimulation extends Simulation {

  {
    Settings settings = Settings.fromSystemProperties(0);
    int users = Integer.getInteger("fanout.users", 64);
    BlogFeeder feeder = BlogFeeder.of(settings);
    ScenarioBuilder publishes = scenario("saturating publishes")
        .feed(feeder)
        .exec(Requests.publish(feeder));
    setUp(publishes.injectClosed(constantConcurrentUsers(users).during(settings.seconds())))
        .protocols(Requests.protocol(settings))
        .maxDuration(Duration.ofSeconds(settings.seconds() + 30L))
        .assertions(global().failedRequests().percent().lte(1.0));
  }
}
