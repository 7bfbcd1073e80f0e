package dev.fanout.subscription;

import dev.fanout.consumer.GroupSink;
import dev.fanout.events.BlogEvent;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * A subscription's sink: delivers each event to the endpoint, signed, unless the receiver already has that
 * blog at this version or a newer one ({@link DeliveryMarks}), then remembers the delivery. Failures come
 * from {@link WebhookClient}: refusals are permanent (the event is dead-lettered for this subscription
 * only), the rest transient. Keeps the figures the admin API shows: the last delivery's time and the last
 * failure's kind (a status or a kind of failure, never a body or a credential).
 *
 * <p>Each delivery's HTTP span is a child of the span current when {@link #apply} is called: the event's,
 * which the group's pipeline makes current for the call.
 */
final class WebhookSink implements GroupSink {

  private final WebhookClient client;
  private final DeliveryMarks marks;
  private final Supplier<Subscription> current;
  private volatile Instant lastDeliveryAt; // written by any delivery, read by the admin API
  private volatile String lastError;
  // the URL and secrets of the subscription as last read, parsed once rather than per delivery
  private volatile Prepared prepared;

  /**
   * A subscription's URL and signing secrets, parsed: kept while the subscription (a new record on every
   * change) and the secrets it signs with (fewer once a rotation's previous secret expires) stay the same.
   *
   * @param url null when the subscription's URL does not parse
   */
  private record Prepared(Subscription subscription, List<String> secretTexts, java.net.URL url,
                          List<WebhookSecret> secrets) {

    static Prepared of(Subscription s, List<String> secretTexts) {
      java.net.URL url;
      try {
        url = DestinationPolicy.parse(s.url());
      } catch (IllegalArgumentException e) {
        url = null;
      }
      return new Prepared(s, secretTexts, url, secretTexts.stream().map(WebhookSecret::parse).toList());
    }

    boolean stillFor(Subscription s, List<String> secretTexts) {
      return subscription == s && this.secretTexts.equals(secretTexts);
    }
  }

  /** @param current the subscription as last read (its URL, timeout and secrets may change while it runs) */
  WebhookSink(WebhookClient client, DeliveryMarks marks, Supplier<Subscription> current) {
    this.client = client;
    this.marks = marks;
    this.current = current;
  }

  @Override
  public Future<Void> apply(List<BlogEvent> events) {
    // taken now: the deliveries run later, when the event's span is no longer current
    Context parent = Context.current();
    Future<Void> chain = Future.succeededFuture();
    for (BlogEvent event : events) {
      chain = chain.compose(v -> deliver(event, parent));
    }
    return chain;
  }

  @Override
  public Future<Void> prepare(List<BlogEvent> events) {
    return marks.load(events.stream().map(BlogEvent::blogId).toList());
  }

  /** Completes once the records of every delivery so far are written: offsets are committed after it. */
  @Override
  public Future<Void> settled() {
    return marks.written();
  }

  // Succeeds once the receiver has the event (or had it, or a newer version): the record of it is written
  // after, and settled() waits for it, so that the author's next event need not wait for the database.
  private Future<Void> deliver(BlogEvent event, Context parent) {
    return marks.newest(event.blogId()).compose(newest -> {
      DeliveryMarks.Mark mark = new DeliveryMarks.Mark(event.eventId(), event.blogId(), event.version());
      if (newest >= event.version()) {
        // a re-send through the shared topic, or a blog the snapshot delivered at this version or later
        marks.record(mark);
        return Future.succeededFuture();
      }
      return send(WebhookPayload.of(event), parent).onSuccess(v -> marks.record(mark));
    });
  }

  /** Delivers one blog of a snapshot, unless the receiver has it at this version or newer. */
  Future<Void> deliverSnapshot(LiveBlogs.Blog blog) {
    return marks.newest(blog.blogId()).compose(newest -> {
      if (newest >= blog.version()) {
        return Future.succeededFuture();
      }
      return send(WebhookPayload.snapshot(blog.blogId(), blog.authorId(), blog.version(), blog.title(),
          blog.body(), blog.tags(), blog.publishedAt(), blog.updatedAt()), Context.current())
          .compose(v -> marks.record(new DeliveryMarks.Mark(null, blog.blogId(), blog.version())));
    });
  }

  private Future<Void> send(WebhookPayload payload, Context parent) {
    Subscription s = current.get();
    List<String> secretTexts = s.signingSecrets(Instant.now());
    Prepared p = prepared;
    if (p == null || !p.stillFor(s, secretTexts)) {
      p = Prepared.of(s, secretTexts);
      prepared = p;
    }
    if (p.url() == null) {
      lastError = "invalid url";
      return Future.failedFuture(new WebhookRefused("invalid url", 0, "webhook refused: invalid url"));
    }
    return client.deliver(p.url(), payload, p.secrets(), s.timeoutMs(), parent)
        .<Void>mapEmpty()
        .onSuccess(v -> lastDeliveryAt = Instant.now())
        .onFailure(e -> lastError = kindOf(e));
  }

  static String kindOf(Throwable e) {
    if (e instanceof WebhookRefused r) {
      return r.kind();
    }
    if (e instanceof WebhookUnavailable u) {
      return u.kind();
    }
    return "error";
  }

  Instant lastDeliveryAt() {
    return lastDeliveryAt;
  }

  String lastError() {
    return lastError;
  }
}
