package dev.fanout.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The publish-heavy mix: 90% publishes, 5% searches, 5% author counts, arriving at {@code fanout.rate}
 * requests/s (default 5,000) after a ramp of {@code fanout.ramp} seconds, for {@code fanout.seconds}.
 * Authors are Zipf-distributed over {@code fanout.authors}.
 */
public class PublishSimulation extends Simulation {

  {
    Settings settings = Settings.fromSystemProperties(5000);
    BlogFeeder feeder = BlogFeeder.of(settings);
    ScenarioBuilder mix = scenario("publish-heavy mix")
        .feed(feeder)
        .exec(randomSwitch().on(
            percent(90.0).then(Requests.publish(feeder)),
            percent(5.0).then(Requests.search()),
            percent(5.0).then(Requests.authorCount())));
    setUp(mix.injectOpen(
            rampUsersPerSec(Math.max(1, settings.rate() / 10.0)).to(settings.rate()).during(settings.rampSeconds()),
            constantUsersPerSec(settings.rate()).during(settings.seconds())))
        .protocols(Requests.protocol(settings))
        .maxDuration(Duration.ofSeconds(settings.rampSeconds() + settings.seconds() + 30L))
        // the goals; a failed assertion fails the Maven run after the report is written
        .assertions(global().responseTime().percentile(99.0).lte(50), global().failedRequests().percent().lte(1.0));
  }
}
