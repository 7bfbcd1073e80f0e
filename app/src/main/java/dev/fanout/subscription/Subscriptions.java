package dev.fanout.subscription;

import dev.fanout.consumer.DeadLetters;
import dev.fanout.consumer.GroupSpec;
import dev.fanout.consumer.GroupStatus;
import dev.fanout.consumer.KeyOrderedDispatcher;
import dev.fanout.consumer.LocalGroup;
import dev.fanout.consumer.ResiliencePolicy;
import dev.fanout.core.Refusal;
import dev.fanout.outbox.KeptEvents;
import dev.fanout.outbox.OwedFrom;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupDescription;
import dev.fanout.stream.OffsetSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook subscriptions of every instance: each is one more consumer group of the events topic, named
 * {@code sub-<name>}, whose sink is an HTTP endpoint. They live in PostgreSQL; every instance reads the table
 * every {@value #SYNC_MILLIS} ms and runs what it says here (a group in the {@code GroupHost}'s registry, with
 * members), so a subscription created, paused, resumed or deleted on one instance holds on all of them within
 * about a second. A subscription's progress is its group's committed offsets and its delivered versions
 * ({@link DeliveryMarks}); nothing of it lives only in this process.
 *
 * <ul>
 *   <li><b>Create</b> moves the new group's offsets to its start ({@code latest}: the end of each partition,
 *       committed before the answer, so nothing published after it is missed) and stores it.</li>
 *   <li><b>Delete</b> marks it deleted; every instance stops its members, then the group, its replay group,
 *       its dead-letter topic and its rows go. A subscription created later under the name starts clean.</li>
 *   <li><b>Snapshot</b> (a start or a resync): the members wait while one instance (under an advisory lock)
 *       delivers every live blog as it is now, in order per author; then the members start from the offsets
 *       taken before the first read. Events no newer than what the snapshot delivered are passed over.</li>
 *   <li><b>Expiry</b>: a subscription that holds outbox rows longer than the keep time stops holding them
 *       ({@link OwedFrom#NOTHING}); a resync starts it again from a snapshot.</li>
 * </ul>
 *
 * <p>Safe to call from any thread; the sync runs one round at a time.
 */
public final class Subscriptions {

  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);
  /** How often every instance reads the table. */
  public static final long SYNC_MILLIS = 1_000;
  /** How often a subscription is checked for holding outbox rows too long. */
  static final long EXPIRY_CHECK_MILLIS = 60_000;
  /** How long the secret before a rotation still signs. */
  public static final Duration SECRET_OVERLAP = Duration.ofHours(24);
  /** Blogs one page of a snapshot reads. */
  static final int SNAPSHOT_PAGE = 200;
  /** How long DELETE waits for every instance to let go before it answers anyway. */
  static final long DELETE_WAIT_MILLIS = 15_000;

  /**
   * @param topic        the events topic the subscriptions read
   * @param max          most subscriptions ({@code --subscriptions-max})
   * @param keep         how long one may hold outbox rows before it expires ({@code --subscriptions-keep-hours})
   * @param allowPrivate deliveries to private, loopback and link-local addresses are allowed
   * @param policy       retries and circuit breaking of every subscription
   */
  public record Settings(String topic, int max, Duration keep, boolean allowPrivate, ResiliencePolicy policy) {
  }

  /** A subscription running in this process. */
  private record Running(AtomicReference<Subscription> current, LocalGroup group, WebhookSink sink,
                         AtomicReference<Instant> expiryCheckedAt) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final EventStream stream;
  private final GroupHost host;
  private final LiveBlogs blogs;
  private final WebhookClient client;
  private final Settings settings;
  private final SubscriptionStore store;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  // the incarnation each pending snapshot is for; a snapshot run stops when its entry goes or changes
  private final Map<String, UUID> snapshotsWanted = new ConcurrentHashMap<>();
  private final Set<String> snapshotting = ConcurrentHashMap.newKeySet();
  private Future<Void> syncing = Future.succeededFuture(); // guarded by this
  private volatile long timer = -1;
  private volatile boolean closed;

  public Subscriptions(Vertx vertx, Pool pool, EventStream stream, GroupHost host, LiveBlogs blogs,
                       WebhookClient client, Settings settings) {
    this.vertx = vertx;
    this.pool = pool;
    this.stream = stream;
    this.host = host;
    this.blogs = blogs;
    this.client = client;
    this.settings = settings;
    this.store = new SubscriptionStore(pool);
  }

  /** Starts what the table holds, then keeps in step with it. */
  public Future<Void> start() {
    return sync().onSuccess(v -> timer = vertx.setPeriodic(SYNC_MILLIS, id -> sync()));
  }

  /**
   * Stops following the table and stops the subscriptions here (their members leave; what was in flight is
   * delivered again by whoever reads next, with the same webhook id).
   */
  public Future<Void> close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    snapshotsWanted.clear();
    return syncing.otherwiseEmpty().compose(v -> {
      List<Future<Void>> stopped = new ArrayList<>();
      for (String name : List.copyOf(running.keySet())) {
        stopped.add(stopHere(name));
      }
      return Future.join(stopped);
    }).mapEmpty();
  }

  /** Since when each group is owed events: a subscription's start, nothing once expired, all for others. */
  public OwedFrom owedFrom() {
    return group -> {
      if (!group.startsWith(Subscription.GROUP_PREFIX)) {
        return Instant.EPOCH;
      }
      Running r = running.get(group.substring(Subscription.GROUP_PREFIX.length()));
      if (r == null) {
        return Instant.EPOCH;
      }
      Subscription s = r.current().get();
      return s.expired() ? OwedFrom.NOTHING : s.owedFrom();
    };
  }

  // ---- the admin API's operations ----

  /** Creates a subscription; the answer carries its secret, the only time it is shown. */
  public Future<JsonObject> create(NewSubscription request) {
    String group = Subscription.groupOf(request.name());
    return client.policy().check(request.url())
        .recover(e -> Future.failedFuture(e instanceof DestinationRefused d
            ? Refusal.invalid("url", "url: " + d.reason()) : e))
        .compose(v -> store.all())
        .compose(all -> {
          if (all.stream().anyMatch(s -> s.name().equals(request.name()))) {
            return Future.failedFuture(Refusal.conflict("subscription_exists",
                "a subscription named '" + request.name() + "' exists", "name"));
          }
          if (all.size() >= settings.max()) {
            return Future.failedFuture(Refusal.conflict("subscriptions_full", "at most " + settings.max()
                + " subscriptions (--subscriptions-max); delete one first", null));
          }
          // a group of that name left by a deletion that did not finish starts clean too
          return ignoreUnknown(stream.admin().deleteGroup(group));
        })
        .compose(v -> stream.admin().resetOffsets(group, settings.topic(), startOffsets(request), false))
        .compose(v -> {
          WebhookSecret secret = WebhookSecret.generate();
          Instant owedFrom = switch (request.startFrom()) {
            case EARLIEST -> Instant.EPOCH;
            case TIMESTAMP -> Instant.ofEpochMilli(request.startTimestamp());
            // taken after the offsets: whatever is committed from now on comes after them in the stream
            case LATEST, SNAPSHOT -> Instant.now();
          };
          return store.insert(new Subscription(request.name(), UUID.randomUUID(), request.url(),
              request.startFrom(), request.startTimestamp(), request.maxInFlight(), request.timeoutMs(),
              secret.text(), null, null, false, owedFrom, null, null,
              request.startFrom() == Subscription.StartFrom.SNAPSHOT, null, null), settings.max());
        })
        .compose(s -> sync().map(v -> {
          LOG.info("subscription {} created, starting from {}", s.name(), s.startFrom().wireName());
          return entry(s).put("secret", s.secret());
        }));
  }

  private static OffsetSpec startOffsets(NewSubscription request) {
    return switch (request.startFrom()) {
      case EARLIEST -> OffsetSpec.earliest();
      case TIMESTAMP -> OffsetSpec.timestamp(request.startTimestamp());
      case LATEST, SNAPSHOT -> OffsetSpec.latest();
    };
  }

  /** Every subscription with its figures, the oldest first; never a secret. */
  public Future<JsonObject> list() {
    return store.all().compose(all -> {
      List<Future<JsonObject>> described = new ArrayList<>();
      all.stream().filter(s -> !s.deleted()).forEach(s -> described.add(describe(s)));
      return Future.all(described).map(done -> {
        JsonArray subscriptions = new JsonArray();
        described.forEach(f -> subscriptions.add(f.result()));
        return new JsonObject().put("subscriptions", subscriptions);
      });
    });
  }

  /** One subscription with its figures; a not-found refusal for an unknown name. */
  public Future<JsonObject> get(String name) {
    return existing(store.find(name), name).compose(this::describe);
  }

  public Future<JsonObject> pause(String name) {
    return existing(store.setPaused(name, true), name).compose(s -> sync().compose(v -> describe(s)));
  }

  public Future<JsonObject> resume(String name) {
    return existing(store.setPaused(name, false), name).compose(s -> sync().compose(v -> describe(s)));
  }

  /** A new secret; the old one signs too for {@link #SECRET_OVERLAP}. */
  public Future<JsonObject> rotateSecret(String name) {
    WebhookSecret secret = WebhookSecret.generate();
    return existing(store.rotate(name, secret.text(), Instant.now().plus(SECRET_OVERLAP)), name)
        .compose(s -> sync().map(v -> new JsonObject().put("name", s.name()).put("secret", s.secret())));
  }

  /** Starts the subscription again from a snapshot (an expired one, or one whose receiver lost its data). */
  public Future<JsonObject> resync(String name) {
    return existing(store.resync(name), name).compose(s -> sync().compose(v -> describe(s)));
  }

  /**
   * Deletes a subscription: every instance stops delivering, then its group, replay group, dead-letter topic
   * and rows go. Answers once they went, or after {@value #DELETE_WAIT_MILLIS} ms with {@code "pending"}
   * (the instances finish it on their next syncs).
   */
  public Future<JsonObject> delete(String name) {
    return existing(store.find(name), name).compose(found -> store.markDeleted(name)).compose(marked -> {
      Subscription s = marked.orElseThrow(() -> Refusal.notFound("subscription " + name));
      LOG.info("subscription {} deleted", name);
      return awaitGone(s, System.currentTimeMillis() + DELETE_WAIT_MILLIS);
    });
  }

  private Future<JsonObject> awaitGone(Subscription s, long deadline) {
    return sync().compose(v -> store.find(s.name())).compose(found -> {
      boolean gone = found.isEmpty() || !found.get().incarnation().equals(s.incarnation());
      if (gone || System.currentTimeMillis() > deadline) {
        return Future.succeededFuture(new JsonObject().put("name", s.name()).put("group", s.group())
            .put("deleted", gone ? "done" : "pending"));
      }
      Promise<JsonObject> later = Promise.promise();
      vertx.setTimer(200, id -> awaitGone(s, deadline).onComplete(later));
      return later.future();
    });
  }

  private static Future<Subscription> existing(Future<Optional<Subscription>> found, String name) {
    return found.compose(s -> s.isPresent() && !s.get().deleted() ? Future.succeededFuture(s.get())
        : Future.failedFuture(Refusal.notFound("subscription " + name)));
  }

  // ---- what an entry of the admin API shows ----

  private static JsonObject entry(Subscription s) {
    return new JsonObject()
        .put("name", s.name())
        .put("group", s.group())
        .put("url", s.url())
        .put("startFrom", s.startFrom().wireName())
        .put("maxInFlight", s.maxInFlight())
        .put("timeoutMs", s.timeoutMs())
        .put("createdAt", s.createdAt() == null ? null : s.createdAt().toString());
  }

  private Future<JsonObject> describe(Subscription s) {
    Running r = running.get(s.name());
    boolean here = r != null && r.current().get().incarnation().equals(s.incarnation());
    GroupStatus status = here ? r.group().status() : null;
    return stream.admin().describeGroup(s.group())
        .map(d -> d.partitions().stream().mapToLong(GroupDescription.PartitionLag::lag).sum())
        .otherwise((Long) null)
        .map(lag -> entry(s)
            .put("status", statusOf(s, status))
            .put("paused", s.paused())
            .put("lag", lag)
            .put("delivered", status == null ? 0 : status.processed())
            .put("failedAttempts", status == null ? 0 : status.retries())
            .put("deadLettered", status == null ? 0 : status.deadLetters())
            .put("lastDeliveryAt", here && r.sink().lastDeliveryAt() != null ? r.sink().lastDeliveryAt().toString() : null)
            .put("lastError", here ? r.sink().lastError() : null)
            .put("expiredAt", s.expiredAt() == null ? null : s.expiredAt().toString()));
  }

  /** One word for where a subscription stands: snapshot, expired, paused, circuit_open, starting or active. */
  static String statusOf(Subscription s, GroupStatus status) {
    if (s.snapshotPending()) {
      return "snapshot";
    }
    if (s.paused()) {
      return "paused";
    }
    if (s.expired()) {
      return "expired";
    }
    if (status == null) {
      return "starting";
    }
    return "CLOSED".equals(status.circuit()) ? "active" : "circuit_open";
  }

  // ---- keeping this process in step with the table ----

  /** One round of reading the table and doing what it says here; rounds run one at a time. */
  public synchronized Future<Void> sync() {
    syncing = syncing.transform(ar -> reconcile());
    return syncing;
  }

  private Future<Void> reconcile() {
    if (closed) {
      return Future.succeededFuture();
    }
    return store.all().compose(all -> {
      Set<String> listed = new HashSet<>();
      Future<Void> chain = Future.succeededFuture();
      for (Subscription s : all) {
        listed.add(s.name());
        chain = chain.compose(v -> apply(s).recover(e -> {
          LOG.warn("subscription {}: {}; will try again", s.name(), e.toString());
          return Future.succeededFuture();
        }));
      }
      for (String name : List.copyOf(running.keySet())) {
        if (!listed.contains(name)) {
          chain = chain.compose(v -> stopHere(name));
        }
      }
      snapshotsWanted.keySet().retainAll(listed);
      return chain;
    }).recover(e -> {
      LOG.warn("subscriptions: reading the table failed, will retry: {}", e.toString());
      return Future.succeededFuture();
    });
  }

  private Future<Void> apply(Subscription s) {
    Running r = running.get(s.name());
    if (s.deleted()) {
      snapshotsWanted.remove(s.name());
      return stopHere(s.name()).compose(v -> finishDelete(s));
    }
    if (r != null && !r.current().get().incarnation().equals(s.incarnation())) {
      return stopHere(s.name()).compose(v -> apply(s));
    }
    if (s.snapshotPending()) {
      snapshotsWanted.put(s.name(), s.incarnation());
      return (r == null ? Future.<Void>succeededFuture() : stopHere(s.name())).map(v -> {
        snapshot(s);
        return null;
      });
    }
    snapshotsWanted.remove(s.name());
    if (r == null) {
      return startHere(s);
    }
    Subscription before = r.current().getAndSet(s);
    Future<Void> paused = before.paused() == s.paused() ? Future.succeededFuture()
        : s.paused() ? r.group().pause() : r.group().resume();
    return paused.compose(v -> checkExpiry(r));
  }

  private Future<Void> startHere(Subscription s) {
    AtomicReference<Subscription> current = new AtomicReference<>(s);
    WebhookSink sink = new WebhookSink(client, new DeliveryMarks(pool, s.group()), current::get);
    GroupSpec spec = new GroupSpec(s.group(), sink, settings.policy(), GroupSpec.Dispatch.keyOrdered(s.maxInFlight()));
    return host.start(spec, s.paused()).map(group -> {
      running.put(s.name(), new Running(current, group, sink, new AtomicReference<>(Instant.now())));
      LOG.info("subscription {} runs here{}", s.name(), s.paused() ? " (paused)" : "");
      return null;
    });
  }

  private Future<Void> stopHere(String name) {
    Running r = running.remove(name);
    if (r == null) {
      return Future.succeededFuture();
    }
    return host.stop(r.group().name()).onSuccess(v -> LOG.info("subscription {} stopped here", name));
  }

  // Every instance's members must have left first: deleting a group with live members is refused, and the
  // next round tries again.
  private Future<Void> finishDelete(Subscription s) {
    return ignoreUnknown(stream.admin().deleteGroup(s.group()))
        .compose(v -> ignoreUnknown(stream.admin().deleteGroup(s.group() + ".replay")))
        .compose(v -> ignoreUnknown(stream.admin().deleteTopic(DeadLetters.topic(settings.topic(), s.group()))))
        .compose(v -> store.remove(s))
        .onSuccess(v -> LOG.info("subscription {}: its group, dead letters and records are gone", s.name()));
  }

  private static Future<Void> ignoreUnknown(Future<Void> call) {
    return call.recover(e -> e instanceof IllegalArgumentException ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /**
   * Checks every subscription running here for expiry now rather than on its next turn (each
   * {@value #EXPIRY_CHECK_MILLIS} ms), then syncs: for tests, which cannot wait for the turn. The check itself
   * is the one the sync runs.
   */
  Future<Void> checkExpiryNow() {
    running.values().forEach(r -> r.expiryCheckedAt().set(Instant.EPOCH));
    return sync();
  }

  private Future<Void> checkExpiry(Running r) {
    Subscription s = r.current().get();
    Instant now = Instant.now();
    if (s.expired() || Duration.between(r.expiryCheckedAt().get(), now).toMillis() < EXPIRY_CHECK_MILLIS) {
      return Future.succeededFuture();
    }
    r.expiryCheckedAt().set(now);
    return KeptEvents.holdsOlderThan(pool, s.group(), s.owedFrom(), now.minus(settings.keep()))
        .compose(holds -> !holds ? Future.succeededFuture() : store.expire(s).map(expired -> {
          if (expired) {
            LOG.warn("subscription {} held outbox rows longer than {} h: expired; it no longer holds them "
                + "(POST /api/admin/subscriptions/{}/resync starts it again from a snapshot)", s.name(),
                settings.keep().toHours(), s.name());
          }
          return null;
        }));
  }

  // ---- snapshots ----

  // Runs in the background on the instance that takes the snapshot's advisory lock; the others pass.
  private void snapshot(Subscription s) {
    if (closed || !snapshotting.add(s.name())) {
      return;
    }
    String lock = "fanout-snapshot-" + s.name();
    pool.getConnection().compose(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock(hashtext($1)) AS locked")
            .execute(Tuple.of(lock))
            .compose(rows -> !rows.iterator().next().getBoolean("locked") ? Future.<Void>succeededFuture()
                : runSnapshot(s).eventually(() -> conn.preparedQuery("SELECT pg_advisory_unlock(hashtext($1))")
                    .execute(Tuple.of(lock))))
            .eventually(conn::close))
        .onComplete(ar -> {
          snapshotting.remove(s.name());
          if (ar.failed()) {
            LOG.warn("subscription {}: the snapshot stopped ({}); it goes on from where it got to", s.name(),
                ar.cause().toString());
          }
        });
  }

  private boolean snapshotWanted(Subscription s) {
    return !closed && s.incarnation().equals(snapshotsWanted.get(s.name()));
  }

  private Future<Void> runSnapshot(Subscription s) {
    LOG.info("subscription {}: snapshot {}", s.name(), s.snapshotAfter() == null ? "starts" : "goes on");
    // before the first read, the group's offsets move to the end (every instance's members have left): every
    // change committed after the reads comes through the stream, and what the reads saw is passed over there
    Future<Void> offsets = s.snapshotAfter() != null ? Future.succeededFuture()
        : resetToLatest(s, System.currentTimeMillis() + DELETE_WAIT_MILLIS);
    WebhookSink sink = new WebhookSink(client, new DeliveryMarks(pool, s.group()), () -> s);
    KeyOrderedDispatcher dispatcher = new KeyOrderedDispatcher(vertx.getOrCreateContext(), s.maxInFlight());
    return offsets.compose(v -> snapshotPages(s, sink, dispatcher, s.snapshotAfter()));
  }

  private Future<Void> resetToLatest(Subscription s, long deadline) {
    return stream.admin().resetOffsets(s.group(), settings.topic(), OffsetSpec.latest(), false).<Void>mapEmpty()
        .recover(e -> {
          if (!(e instanceof IllegalStateException) || System.currentTimeMillis() > deadline || !snapshotWanted(s)) {
            return Future.failedFuture(e);
          }
          Promise<Void> later = Promise.promise();
          vertx.setTimer(250, id -> resetToLatest(s, deadline).onComplete(later));
          return later.future();
        });
  }

  private Future<Void> snapshotPages(Subscription s, WebhookSink sink, KeyOrderedDispatcher dispatcher, UUID after) {
    if (!snapshotWanted(s)) {
      return Future.succeededFuture();
    }
    return blogs.after(after, SNAPSHOT_PAGE).compose(page -> {
      if (page.isEmpty()) {
        return store.snapshotDone(s).compose(v -> {
          LOG.info("subscription {}: snapshot delivered; its members start", s.name());
          return sync();
        });
      }
      List<Future<Void>> each = new ArrayList<>(page.size());
      for (LiveBlogs.Blog blog : page) {
        each.add(dispatcher.submit(blog.authorId(), () -> snapshotEntry(s, sink, blog, 0)));
      }
      UUID last = page.get(page.size() - 1).blogId();
      return Future.all(each)
          .compose(v -> store.snapshotProgress(s, last))
          .compose(v -> snapshotPages(s, sink, dispatcher, last));
    });
  }

  // One blog until it is delivered or refused; waits out transient failures as a group's events do.
  private Future<Void> snapshotEntry(Subscription s, WebhookSink sink, LiveBlogs.Blog blog, int round) {
    if (!snapshotWanted(s)) {
      return Future.failedFuture(new IllegalStateException("the snapshot of " + s.name() + " is no longer wanted"));
    }
    return sink.deliverSnapshot(blog).recover(e -> {
      if (e instanceof WebhookRefused) {
        LOG.warn("subscription {}: the receiver refused blog {} of the snapshot ({}); going on", s.name(),
            blog.blogId(), WebhookSink.kindOf(e));
        return Future.succeededFuture();
      }
      long wait = dev.fanout.consumer.RetryAfter.waitBefore(round, settings.policy().backoffMillis(), e);
      Promise<Void> later = Promise.promise();
      vertx.setTimer(Math.max(1, wait), id -> snapshotEntry(s, sink, blog, round + 1).onComplete(later));
      return later.future();
    });
  }
}
