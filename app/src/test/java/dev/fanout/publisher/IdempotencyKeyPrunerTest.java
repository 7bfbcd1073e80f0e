package dev.fanout.publisher;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.db.TestDatabase;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Idempotency keys on a real PostgreSQL: those past the kept window go, oldest first, a batch at a time. */
class IdempotencyKeyPrunerTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();

  private static void key(String key, Duration age) throws Exception {
    await(DB.database().pool().preparedQuery("INSERT INTO idempotency_keys "
            + "(idem_key, request_hash, blog_id, event_id, version, created_at) VALUES ($1, 'h', $2, $3, 1, $4)")
        .execute(Tuple.of(key, UUID.randomUUID(), UUID.randomUUID(), OffsetDateTime.now(ZoneOffset.UTC).minus(age))));
  }

  private static List<String> keys() throws Exception {
    List<String> keys = new ArrayList<>();
    for (Row row : await(DB.database().pool().query("SELECT idem_key FROM idempotency_keys ORDER BY idem_key").execute())) {
      keys.add(row.getString(0));
    }
    return keys;
  }

  @Test
  void keysPastTheWindowGoOldestFirstAndTheOthersStay() throws Exception {
    await(DB.database().pool().query("DELETE FROM idempotency_keys").execute());
    key("a:oldest", Duration.ofHours(50));
    key("a:older", Duration.ofHours(30));
    key("b:old", Duration.ofHours(25));
    key("b:recent", Duration.ofHours(23));
    key("c:new", Duration.ZERO);
    IdempotencyKeyPruner pruner = new IdempotencyKeyPruner(DB.database().pool(), Duration.ofHours(24), 2,
        Duration.ofMinutes(1));

    assertThat(await(pruner.pruneOnce())).isEqualTo(2);
    assertThat(keys()).containsExactly("b:old", "b:recent", "c:new");
    assertThat(await(pruner.pruneOnce())).isEqualTo(1);
    assertThat(await(pruner.pruneOnce())).isZero();
    assertThat(keys()).containsExactly("b:recent", "c:new");
  }
}
