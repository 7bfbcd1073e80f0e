package dev.fanout.subscription;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The live blogs as they are now, for a subscription's snapshot: read through the package that owns the
 * table, which the app hands in.
 */
@FunctionalInterface
public interface LiveBlogs {

  /** One live blog at its current version. */
  record Blog(UUID blogId, String authorId, int version, String title, String body, List<String> tags,
              Instant publishedAt, Instant updatedAt) {
  }

  /** Up to {@code limit} live blogs whose id is after {@code after} (null: from the first), in id order. */
  Future<List<Blog>> after(UUID after, int limit);
}
