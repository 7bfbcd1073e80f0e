package dev.fanout.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Publishes only, at a steady {@code fanout.rate} per second (default 1,000) for {@code fanout.seconds}:
 * the run for latency, well below saturation, so that the figures show the path and not a queue.
 */
public class SteadySimulation extends Simulation {

  {
    Settings settings = Settings.fromSystemProperties(1000);
    BlogFeeder feeder = BlogFeeder.of(settings);
    ScenarioBuilder publishes = scenario("steady publishes")
        .feed(feeder)
        .exec(Requests.publish(feeder));
    setUp(publishes.injectOpen(nothingFor(Duration.ZERO), constantUsersPerSec(settings.rate()).during(settings.seconds())))
        .protocols(Requests.protocol(settings))
        .maxDuration(Duration.ofSeconds(settings.seconds() + 30L))
        .assertions(global().responseTime().percentile(99.0).lte(50), global().failedRequests().percent().lte(1.0));
  }
}
