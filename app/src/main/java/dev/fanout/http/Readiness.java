package dev.fanout.http;

import dev.fanout.core.Refusal;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One part that {@code /health/ready} waits for. Its failure is answered with the part's code and a short
 * text ({@code search_unavailable: the search engine does not answer}); the failure itself, which may name
 * classes, addresses and the part's own messages, goes to the log only.
 */
public final class Readiness {

  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

  private Readiness() {
  }

  /**
   * {@code check}, failed with an {@link Refusal.Kind#UNAVAILABLE} refusal {@code code} saying {@code text}
   * when it fails; the failure is logged.
   */
  public static Future<Void> of(String code, String text, Future<?> check) {
    return check.<Void>mapEmpty().recover(e -> {
      LOG.warn("not ready: {} ({})", text, e.toString());
      return Future.failedFuture(new Refusal(Refusal.Kind.UNAVAILABLE, code, text, null));
    });
  }

  /** How a failed readiness check reads in a public answer: {@code code: text}, nothing of its internals. */
  static String publicText(Throwable failure) {
    return failure instanceof Refusal refusal ? refusal.code() + ": " + refusal.getMessage()
        : "not_ready: a part the app needs does not answer";
  }
}
