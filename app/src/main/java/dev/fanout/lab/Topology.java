package dev.fanout.lab;

import dev.fanout.compose.PartsFactory;
import dev.fanout.consumer.GroupSink;
import dev.fanout.consumer.GroupSpec;
import dev.fanout.consumer.GroupTrail;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.consumer.SinkInterceptor;
import dev.fanout.counter.AuthorCounter;
import dev.fanout.events.BlogEvent;
import dev.fanout.faults.FaultInjector;
import dev.fanout.outbox.OutboxRelay;
import dev.fanout.outbox.RelaySignal;
import dev.fanout.publisher.BlogStore;
import dev.fanout.search.SearchIndexer;
import dev.fanout.stream.EventStream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How one design wires the same parts: the publisher ({@link BlogStore}), the counter's sink
 * ({@link AuthorCounter}) and the search sink ({@link SearchIndexer}), each group a {@link LocalGroup} with
 * its retries, breaker and dead letters. Only the topology differs:
 *
 * <ul>
 *   <li>{@link Design#ONE_GROUP}: the publisher sends its event to one topic after the commit; one group's
 *       handler indexes, then counts, and its batch is acknowledged when both are done. The faults of each
 *       sink act on that sink's half of the handler.</li>
 *   <li>{@link Design#DUAL_WRITE}: after the commit the publisher sends the event to a search topic and a
 *       counter topic, each read by its own group.</li>
 *   <li>{@link Design#OUTBOX}: Fanout as it is, built by the app's own {@link PartsFactory} with the
 *       differences {@link Design3} lists: the outbox row commits with the blog and the {@link OutboxRelay}
 *       sends it to one topic read by two independent groups.</li>
 * </ul>
 *
 * In designs 1 and 2 the blog's transaction still writes its outbox row ({@link BlogStore} always does), but
 * no relay reads it: dead weight those designs carry here, which a hand-written dual write would not.
 */
final class Topology {

  /** The sink names faults are injected under, as the app names them. */
  static final String SEARCH = SearchIndexer.GROUP;
  static final String COUNTER = AuthorCounter.GROUP;

  private final Design design;
  private final Vertx vertx;
  private final EventStream stream;
  private final String prefix;
  private final PartsFactory factory;
  private final BlogStore store;
  private final RelaySignal signal;
  private final Supplier<OutboxRelay> relay;
  // topic -> the groups reading it, in start order
  private final Map<String, List<LocalGroup>> groups = new LinkedHashMap<>();
  private final LocalGroup counting;
  private String relayDeployment;

  /**
   * @param prefix  names this run's topics and groups: unique on the stream
   * @param factory the app's factory, on the run's schema, with design 3's settings ({@link Design3})
   * @param faults  where the run injects its faults, by sink name
   */
  Topology(Design design, LabParts parts, EventStream stream, String prefix, PartsFactory factory,
           AuthorCounter counter, SearchIndexer indexer, FaultInjector faults) {
    this.design = design;
    this.vertx = parts.vertx();
    this.stream = stream;
    this.factory = factory;
    this.prefix = prefix;
    this.signal = design == Design.OUTBOX ? new RelaySignal(vertx) : RelaySignal.noRelay(vertx);
    this.store = factory.blogStore(signal);
    List<GroupSpec> app = factory.builtInGroups(counter, indexer);
    GroupSpec counterSpec = app.stream().filter(g -> g.name().equals(COUNTER)).findFirst().orElseThrow();
    GroupSpec searchSpec = app.stream().filter(g -> g.name().equals(SEARCH)).findFirst().orElseThrow();
    switch (design) {
      case ONE_GROUP -> {
        GroupSink both = events -> faults.around(SEARCH, () -> indexer.apply(events))
            .compose(v -> faults.<Void>around(COUNTER, () -> counter.apply(events)));
        this.counting = group(prefix, GroupSpec.of(prefix + "-both", both, factory.settings().resilience()),
            SinkInterceptor.NONE);
        relay = null;
      }
      case DUAL_WRITE -> {
        group(prefix + "-search", Design3.group(searchSpec, prefix), named(faults, prefix + "-search", SEARCH));
        this.counting = group(prefix + "-counter", Design3.group(counterSpec, prefix),
            named(faults, prefix + "-counter", COUNTER));
        relay = null;
      }
      case OUTBOX -> {
        group(prefix, Design3.group(searchSpec, prefix), named(faults, prefix + "-search", SEARCH));
        this.counting = group(prefix, Design3.group(counterSpec, prefix), named(faults, prefix + "-counter", COUNTER));
        // the groups' sinks record processed events under the app's names, whatever the stream calls them
        List<String> processing = app.stream().map(GroupSpec::name).toList();
        relay = () -> factory.relay(() -> processing, signal, Design3.relayLockKey(prefix));
      }
      default -> throw new IllegalArgumentException("unknown design " + design);
    }
  }

  private LocalGroup group(String topic, GroupSpec spec, SinkInterceptor interceptor) {
    LocalGroup group = factory.group(topic, spec, interceptor, new SimpleMeterRegistry(), GroupTrail.NONE);
    groups.computeIfAbsent(topic, t -> new ArrayList<>()).add(group);
    return group;
  }

  // The group's guard asks for faults under the group's name; the injector knows them by sink.
  private static SinkInterceptor named(FaultInjector faults, String group, String sink) {
    return new SinkInterceptor() {
      @Override
      public <T> Future<T> around(String name, Supplier<Future<T>> call) {
        return faults.around(name.equals(group) ? sink : name, call);
      }
    };
  }

  /** Creates the topics and dead-letter topics, starts the relay (design 3) and the groups' members. */
  Future<Void> start() {
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, List<LocalGroup>> topic : groups.entrySet()) {
      List<String> names = topic.getValue().stream().map(LocalGroup::name).toList();
      chain = chain.compose(v -> factory.createTopics(topic.getKey(), names));
    }
    if (relay != null) {
      chain = chain.compose(v -> vertx.deployVerticle(relay.get())).map(id -> {
        relayDeployment = id;
        return null;
      });
    }
    for (LocalGroup group : groups()) {
      chain = chain.compose(v -> factory.addMembers(group));
    }
    return chain;
  }

  /** The publisher: writes the blog with its outbox row, in batched transactions. */
  BlogStore store() {
    return store;
  }

  /** Whether the publisher sends the event itself after the commit (designs 1 and 2). */
  boolean publisherSends() {
    return design != Design.OUTBOX;
  }

  /** The publisher's sends after the commit: one topic (design 1) or two (design 2); none for design 3. */
  Future<Void> send(BlogEvent event) {
    List<Future<?>> sends = new ArrayList<>();
    if (publisherSends()) {
      for (String topic : topics()) {
        sends.add(stream.send(topic, event.authorId(), event.headers(), event.encode()));
      }
    }
    return Future.all(sends).mapEmpty();
  }

  /** The topics every event must reach. */
  List<String> topics() {
    return List.copyOf(groups.keySet());
  }

  List<LocalGroup> groups() {
    return groups.values().stream().flatMap(List::stream).toList();
  }

  /** The group that counts: the counter's own, or design 1's only group. */
  LocalGroup counting() {
    return counting;
  }

  /** Stops the relay, then every group's members. */
  Future<Void> stop() {
    Future<Void> stopped = relayDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(relayDeployment).recover(e -> Future.succeededFuture());
    for (LocalGroup group : groups()) {
      stopped = stopped.compose(v -> group.stop());
    }
    return stopped;
  }

  String prefix() {
    return prefix;
  }
}
