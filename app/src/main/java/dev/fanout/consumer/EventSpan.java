package dev.fanout.consumer;

import dev.fanout.events.BlogEvent;
import dev.fanout.stream.StreamRecord;
import dev.fanout.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * One group's handling of one event, as a CONSUMER span in the trace of the publish that made it (the
 * record's {@code traceparent} header): started when the group takes the record, ended once the event is
 * settled (handled, dead-lettered, or given back to the stream to be delivered again).
 *
 * <p>Attributes follow OpenTelemetry's messaging conventions. The offset and key go under Kafka's names
 * ({@code messaging.kafka.offset}, {@code messaging.kafka.message.key}) on every backend: the in-memory one
 * has the same partitions, offsets and keys, and {@code messaging.system} tells the two apart. The event's
 * id is {@code messaging.message.id}.
 *
 * <p>Made only with tracing on: with it off the pipeline makes none, so the hot path allocates nothing more.
 * One event's callbacks run one at a time (its attempts follow each other), so the attempt count needs no
 * lock; the SDK's span itself is thread-safe.
 */
final class EventSpan {

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
  static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
  static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
  static final AttributeKey<String> KEY = AttributeKey.stringKey("messaging.kafka.message.key");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("fanout.attempt");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<Boolean> REPLAY = AttributeKey.booleanKey("fanout.replay");

  private final Span span;
  private int attempts; // one event's callbacks run one after another
  private boolean ended;

  private EventSpan(Span span) {
    this.span = span;
  }

  /**
   * The span of {@code group}'s handling of {@code record}: a child of the publish's context, or for a
   * {@code replay} of a dead letter a new trace linked to it.
   *
   * @param system the {@code messaging.system}: {@code kafka}, or {@code fanout-<backend>}
   */
  static EventSpan start(Tracing tracing, String system, String group, StreamRecord record, boolean replay) {
    Context publish = tracing.parentFrom(record.headers().get(Tracing.TRACEPARENT));
    SpanBuilder builder = tracing.tracer().spanBuilder(group + (replay ? " replay" : " process"))
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute(SYSTEM, system)
        .setAttribute(DESTINATION, record.topic())
        .setAttribute(GROUP, group)
        .setAttribute(PARTITION, Integer.toString(record.partition()))
        .setAttribute(OFFSET, record.offset())
        .setAttribute(OPERATION, "process");
    if (record.key() != null) {
      builder.setAttribute(KEY, record.key());
    }
    String eventId = record.headers().get(BlogEvent.HEADER_EVENT_ID);
    if (eventId != null) {
      builder.setAttribute(MESSAGE_ID, eventId);
    }
    if (replay) {
      // the operator's replay is its own story: it points back at the publish instead of growing its trace
      builder.setNoParent().setAttribute(REPLAY, true);
      SpanContext original = Span.fromContext(publish).getSpanContext();
      if (original.isValid()) {
        builder.addLink(original);
      }
    } else {
      builder.setParent(publish);
    }
    return new EventSpan(builder.startSpan());
  }

  /** Runs {@code call} with this span current, so that a sink may make its own spans as children. */
  <T> Future<T> current(Supplier<Future<T>> call) {
    try (Scope ignored = Context.current().with(span).makeCurrent()) {
      return call.get();
    }
  }

  /** One attempt failed: an event with its number and the failure's kind (never its message). */
  void attemptFailed(Throwable error) {
    attempts++;
    span.addEvent("attempt failed", Attributes.of(ATTEMPT, (long) attempts, ERROR_TYPE, kindOf(error)));
  }

  void handled() {
    end();
  }

  void deadLettered(Throwable error) {
    if (!ended) {
      span.setAttribute(ERROR_TYPE, kindOf(error));
      span.setStatus(StatusCode.ERROR, "dead-lettered");
    }
    end();
  }

  /** Not settled here: the stream delivers the event again, under a span of its own. */
  void givenBack(Throwable error) {
    if (!ended) {
      span.setAttribute(ERROR_TYPE, kindOf(error));
      span.setStatus(StatusCode.ERROR, "not handled, to be delivered again");
    }
    end();
  }

  private void end() {
    if (!ended) {
      ended = true;
      span.end();
    }
  }

  /** A failure's kind for {@code error.type}: its class's simple name (a message may carry internals). */
  static String kindOf(Throwable error) {
    String name = error.getClass().getSimpleName();
    return name.isEmpty() ? error.getClass().getName() : name;
  }
}
