package dev.fanout.consumer;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs calls to one sink under its circuit breaker and a retry budget (resilience4j), with the sink's
 * {@link SinkInterceptor} (injected faults) around every attempt. Waits between attempts on Vert.x timers,
 * never by sleeping.
 *
 * <p>Only transient failures count against the breaker: bad data says nothing about the sink's health.
 * While the breaker is open a call fails at once with {@link CallNotPermittedException}; after the wait
 * the breaker lets one probe call through and closes when it succeeds.
 */
public final class SinkGuard {

  private final Vertx vertx;
  private final String sink;
  private final SinkInterceptor interceptor;
  private final int attempts;
  private final CircuitBreaker breaker;
  // two budgets of the same size: a batch is retried for transient failures only (a permanent one is
  // isolated event by event instead); a single event is retried for any failure before dead-lettering
  private final Retry batchRetry;
  private final Retry eventRetry;
  private final Runnable onRetry;

  public SinkGuard(Vertx vertx, String sink, ResiliencePolicy policy, SinkInterceptor interceptor, Runnable onRetry) {
    this.vertx = vertx;
    this.sink = sink;
    this.interceptor = interceptor;
    this.attempts = policy.attempts();
    this.onRetry = onRetry;
    this.breaker = CircuitBreaker.of(sink, CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(ResiliencePolicy.BREAKER_WINDOW)
        .minimumNumberOfCalls(ResiliencePolicy.BREAKER_MIN_CALLS)
        .failureRateThreshold(ResiliencePolicy.BREAKER_FAILURE_PERCENT)
        .waitDurationInOpenState(Duration.ofMillis(policy.breakerWaitMillis()))
        .permittedNumberOfCallsInHalfOpenState(1)
        .recordException(Failures::isTransient)
        .build());
    IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(policy.backoffMillis(), 2.0, 0.5,
        ResiliencePolicy.MAX_BACKOFF_MILLIS);
    this.batchRetry = Retry.of(sink + "-batch", RetryConfig.custom()
        .maxAttempts(policy.attempts()).intervalFunction(backoff).retryOnException(Failures::isTransient).build());
    this.eventRetry = Retry.of(sink + "-event", RetryConfig.custom()
        .maxAttempts(policy.attempts()).intervalFunction(backoff).retryOnException(e -> true).build());
  }

  public String sink() {
    return sink;
  }

  /** Tries per call, the first included. */
  public int attempts() {
    return attempts;
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  /**
   * Runs {@code call} until it succeeds or the budget is spent; the future fails with the last failure
   * (or {@link CallNotPermittedException} when the breaker is or becomes open).
   *
   * @param isolating true for a single event, whose permanent failures are retried too
   */
  public <T> Future<T> call(Supplier<Future<T>> call, boolean isolating) {
    return call(call, isolating, e -> { });
  }

  /**
   * As {@link #call(Supplier, boolean)}, telling {@code onFailedAttempt} of each attempt that failed while the
   * circuit was closed: an attempt the events may be blamed for (transient failures, and any failure of a
   * single event). The breaker's probes while it is half open test the sink, not the events, and are not
   * told.
   */
  public <T> Future<T> call(Supplier<Future<T>> call, boolean isolating, Consumer<Throwable> onFailedAttempt) {
    Promise<T> result = Promise.promise();
    attempt(call, (isolating ? eventRetry : batchRetry).asyncContext(), isolating, onFailedAttempt, result);
    return result.future();
  }

  private <T> void attempt(Supplier<Future<T>> call, Retry.AsyncContext<T> retry, boolean isolating,
                           Consumer<Throwable> onFailedAttempt, Promise<T> result) {
    boolean closed = breaker.getState() == CircuitBreaker.State.CLOSED;
    if (!breaker.tryAcquirePermission()) {
      result.fail(CallNotPermittedException.createCallNotPermittedException(breaker));
      return;
    }
    long start = System.nanoTime();
    Future<T> attempt;
    try {
      attempt = interceptor.around(sink, call);
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    attempt.onComplete(ar -> {
      long nanos = System.nanoTime() - start;
      if (ar.succeeded()) {
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        retry.onComplete();
        result.complete(ar.result());
        return;
      }
      breaker.onError(nanos, TimeUnit.NANOSECONDS, ar.cause());
      if (closed && (isolating || Failures.isTransient(ar.cause()))) {
        onFailedAttempt.accept(ar.cause());
      }
      long delay = retry.onError(ar.cause());
      if (delay >= 0) {
        // a sink that says when to come back (HTTP Retry-After) is not asked again before
        delay = Math.max(delay, RetryAfter.of(ar.cause()));
      }
      if (delay < 0 || breaker.getState() == CircuitBreaker.State.OPEN) {
        result.fail(ar.cause());
        return;
      }
      onRetry.run();
      vertx.setTimer(Math.max(1, delay), id -> attempt(call, retry, isolating, onFailedAttempt, result));
    });
  }
}
