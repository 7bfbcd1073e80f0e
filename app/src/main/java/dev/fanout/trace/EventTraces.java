package dev.fanout.trace;

import dev.fanout.core.Redaction;
import dev.fanout.core.Refusal;
import dev.fanout.outbox.KeptEvents;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.GroupDescription;
import dev.fanout.tracing.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows events: for each, where it is with every consumer group ({@link Standing}), from what the app
 * keeps (the outbox, the groups' processed records and trouble in PostgreSQL, the committed offsets in the
 * stream). Nothing here lives in one process, so every instance gives the same answer.
 *
 * <p>The groups are described before the database is read: a group that commits past an event has written
 * its processed record (or its dead-lettering) first, so an event the answer shows passed without one was
 * never handled by the group: lost to retention, or skipped. Events are kept until the pruner deletes them
 * ({@code --outbox-keep-minutes} after they are handled by every group); after that they are unknown.
 *
 * <p>An event made by a traced request names its trace ({@code traceId}, and whether it was {@code sampled}:
 * an unsampled publish's context travels with the event all the same); both are null when tracing was off, or
 * the request not traced, when it was made.
 */
public final class EventTraces {

  private static final Logger LOG = LoggerFactory.getLogger(EventTraces.class);
  /** A blog's newest this many kept events are listed. */
  static final int MAX_BLOG_EVENTS = 100;

  private final Pool pool;
  private final EventStream stream;
  private final Supplier<List<String>> groups;
  private final Function<UUID, Future<Boolean>> blogExists;
  private final Function<String, Instant> owedFrom;

  /**
   * @param groups     the consumer groups to trace, in the order they are listed; read anew per request
   * @param blogExists whether a blog is known, for a blog none of whose events are kept
   */
  public EventTraces(Pool pool, EventStream stream, Supplier<List<String>> groups, Function<UUID, Future<Boolean>> blogExists) {
    this(pool, stream, groups, blogExists, group -> Instant.EPOCH);
  }

  /**
   * @param owedFrom since when each group is owed events (a subscription's start): one committed before that
   *                 the group did not handle is traced as skipped
   */
  public EventTraces(Pool pool, EventStream stream, Supplier<List<String>> groups,
                     Function<UUID, Future<Boolean>> blogExists, Function<String, Instant> owedFrom) {
    this.owedFrom = owedFrom;
    this.pool = pool;
    this.stream = stream;
    this.groups = groups;
    this.blogExists = blogExists;
  }

  /** The trace of one event, or a not-found refusal. */
  public Future<JsonObject> event(UUID eventId) {
    List<String> groups = List.copyOf(this.groups.get());
    return positions(groups).compose(positions -> KeptEvents.byEvent(pool, eventId, groups).compose(kept -> {
      if (kept.isEmpty()) {
        return Future.failedFuture(Refusal.notFound("event " + eventId));
      }
      return Future.succeededFuture(trace(kept.get(), groups, positions, owedFrom));
    }));
  }

  /** A blog's kept events, newest first, each traced; a not-found refusal for an unknown blog. */
  public Future<JsonObject> blog(UUID blogId) {
    List<String> groups = List.copyOf(this.groups.get());
    return positions(groups).compose(positions -> KeptEvents.byBlog(pool, blogId, groups, MAX_BLOG_EVENTS)
        .compose(kept -> (kept.isEmpty() ? blogExists.apply(blogId) : Future.succeededFuture(true)).compose(known -> {
          if (!known) {
            return Future.failedFuture(Refusal.notFound("blog " + blogId));
          }
          JsonArray events = new JsonArray();
          kept.forEach(event -> events.add(trace(event, groups, positions, owedFrom)));
          return Future.succeededFuture(new JsonObject().put("blogId", blogId.toString()).put("events", events));
        })));
  }

  private static JsonObject trace(KeptEvents.Kept event, List<String> groups,
                                  Map<String, GroupDescription> positions, Function<String, Instant> owedFrom) {
    JsonArray traced = new JsonArray();
    for (String group : groups) {
      KeptEvents.Trouble trouble = event.trouble().get(group);
      Instant processedAt = event.processedAt().get(group);
      GroupDescription.PartitionLag partition = partition(positions.get(group), event.partition());
      Long position = partition == null ? null : partition.logEnd() - partition.lag();
      Standing standing = Standing.of(event, processedAt, trouble, position, owedFrom.apply(group));
      traced.add(new JsonObject()
          .put("group", group)
          .put("status", standing.status().wireName())
          .put("committedOffset", partition == null || partition.committed() < 0 ? null : partition.committed())
          .put("behind", standing.behind())
          .put("processedAt", text(processedAt))
          .put("attempts", trouble == null ? 0 : trouble.attempts())
          // rows written before errors were told publicly may still hold a URL with credentials
          .put("lastError", trouble == null ? null : Redaction.of(trouble.lastError()))
          .put("deadLetteredAt", trouble == null ? null : text(trouble.deadLetteredAt()))
          .put("replayedAt", trouble == null ? null : text(trouble.replayedAt()))
          .put("skippedAt", trouble == null ? null : text(trouble.skippedAt())));
    }
    return new JsonObject()
        .put("eventId", event.eventId().toString())
        .put("type", event.type())
        .put("blogId", event.blogId() == null ? null : event.blogId().toString())
        .put("authorId", event.authorId())
        .put("version", event.version())
        .put("committedAt", text(event.committedAt()))
        .put("sentAt", text(event.sentAt()))
        .put("partition", event.partition())
        .put("offset", event.offset())
        .put("traceId", traceId(event.traceparent()))
        .put("sampled", sampled(event.traceparent()))
        .put("groups", traced);
  }

  /** The trace id a traceparent names; null for none (or a malformed one). */
  static String traceId(String traceparent) {
    SpanContext context = Tracing.contextOf(traceparent);
    return context.isValid() ? context.getTraceId() : null;
  }

  /** Whether a traceparent's flags say sampled; null for none (or a malformed one). */
  static Boolean sampled(String traceparent) {
    SpanContext context = Tracing.contextOf(traceparent);
    return context.isValid() ? context.isSampled() : null;
  }

  private static GroupDescription.PartitionLag partition(GroupDescription group, Integer partition) {
    if (group == null || partition == null) {
      return null;
    }
    for (GroupDescription.PartitionLag p : group.partitions()) {
      if (p.partition() == partition) {
        return p;
      }
    }
    return null;
  }

  // Each group as the stream describes it now; a group that cannot be described is left out (its events
  // then show no position), so that a trace still answers while the stream is unreachable.
  private Future<Map<String, GroupDescription>> positions(List<String> groups) {
    List<Future<GroupDescription>> described = new ArrayList<>(groups.size());
    for (String group : groups) {
      described.add(stream.admin().describeGroup(group).recover(e -> {
        LOG.debug("trace: group {} could not be described: {}", group, e.toString());
        return Future.succeededFuture(null);
      }));
    }
    return Future.all(described).map(all -> {
      Map<String, GroupDescription> positions = new HashMap<>();
      for (int i = 0; i < groups.size(); i++) {
        GroupDescription description = all.resultAt(i);
        if (description != null) {
          positions.put(groups.get(i), description);
        }
      }
      return positions;
    });
  }

  private static String text(Instant time) {
    return time == null ? null : time.toString();
  }
}
