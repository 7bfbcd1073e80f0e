package dev.fanout.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The read mix: searches (half) and author counts (half) at {@code fanout.rate} requests/s (default
 * 1,000), beside a trickle of publishes at a tenth of that rate so the index keeps changing, for
 * {@code fanout.seconds}. Run it after a publish run, or it searches a small index.
 */
public class ReadSimulation extends Simulation {

  {
    Settings settings = Settings.fromSystemProperties(1000);
    BlogFeeder feeder = BlogFeeder.of(settings);
    ScenarioBuilder reads = scenario("reads").feed(feeder)
        .exec(randomSwitch().on(percent(50.0).then(Requests.search()), percent(50.0).then(Requests.authorCount())));
    ScenarioBuilder writes = scenario("publishes beside the reads").feed(feeder).exec(Requests.publish(feeder));
    setUp(reads.injectOpen(constantUsersPerSec(settings.rate()).during(settings.seconds())),
        writes.injectOpen(constantUsersPerSec(Math.max(1, settings.rate() / 10.0)).during(settings.seconds())))
        .protocols(Requests.protocol(settings))
        .maxDuration(Duration.ofSeconds(settings.seconds() + 30L))
        .assertions(global().failedRequests().percent().lte(1.0));
  }
}
