package dev.fanout.counter;

import static dev.fanout.app.RunningApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.db.Database;
import dev.fanout.db.TestDatabase;
import dev.fanout.events.BlogEvent;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database the counter used before it kept versions: the migration starts {@code counted_blogs} and the
 * counts from the blogs table, so events still in flight change nothing and later ones apply.
 */
class CountedBlogsMigrationTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();

  @Test
  void countsStartFromTheBlogsTableAndLaterEventsApplyOnTop() throws Exception {
    await(DB.database().pool().query("CREATE DATABASE before_counted_blogs").execute());
    PgConnectOptions server = DB.database().connectOptions();
    String jdbc = "jdbc:postgresql://" + server.getHost() + ":" + server.getPort() + "/before_counted_blogs";
    Flyway.configure().dataSource(jdbc, server.getUser(), server.getPassword()).locations("classpath:db/migration")
        .target("4").load().migrate();
    UUID live = UUID.randomUUID();
    UUID deleted = UUID.randomUUID();
    try (Connection connection = DriverManager.getConnection(jdbc, server.getUser(), server.getPassword());
         Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO blogs (blog_id, author_id, title, body, version, deleted, published_at, updated_at) "
          + "VALUES ('" + live + "', 'kept', 't', 'b', 3, false, now(), now()), "
          + "('" + deleted + "', 'kept', 't', 'b', 2, true, now(), now())");
      // a count the old counter got wrong (a late publish after a delete), and an author with no blogs
      statement.execute("INSERT INTO author_stats VALUES ('kept', 2), ('nobody', 1)");
    }

    String url = "postgresql://" + server.getUser() + ":" + server.getPassword() + "@" + server.getHost() + ":"
        + server.getPort() + "/before_counted_blogs";
    Database migrated = await(Database.start(DB.vertx(), url, null, 2));
    try {
      AuthorCounter counter = new AuthorCounter(migrated.pool());
      assertThat(counts(migrated)).isEqualTo(Map.of("kept", 1L, "nobody", 0L));

      Instant now = Instant.now();
      await(counter.apply(List.of(
          new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogPublished, deleted, "kept", 1, "t", "b", List.of(), now, now),
          new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogUpdated, live, "kept", 3, "t", "b", List.of(), now, now))));
      assertThat(await(counter.count("kept"))).as("events in flight at the migration").isEqualTo(1);

      await(counter.apply(List.of(
          new BlogEvent(UUID.randomUUID(), BlogEvent.Type.BlogDeleted, live, "kept", 4, null, null, List.of(), null, now))));
      assertThat(await(counter.count("kept"))).as("a delete after the migration").isZero();
    } finally {
      await(migrated.close());
    }
  }

  private static Map<String, Long> counts(Database database) throws Exception {
    Map<String, Long> counts = new TreeMap<>();
    for (Row row : await(database.pool().query("SELECT author_id, blog_count FROM author_stats").execute())) {
      counts.put(row.getString(0), row.getLong(1));
    }
    return counts;
  }
}
