package dev.fanout.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A start leaves Flyway out only when the database holds exactly the bundled migrations; every other history
 * (pending, failed, from a newer Fanout) goes to Flyway, which decides as it did before.
 */
class MigrationsTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();

  @Test
  void ourChecksumsAreTheOnesFlywayRecorded() throws Exception {
    PgConnectOptions server = DB.database().connectOptions();
    try (Connection connection = connect(server.getDatabase())) {
      Map<String, Integer> recorded = new HashMap<>();
      try (Statement statement = connection.createStatement();
           ResultSet rows = statement.executeQuery("SELECT script, checksum FROM flyway_schema_history")) {
        while (rows.next()) {
          recorded.put(rows.getString(1), rows.getInt(2));
        }
      }
      assertThat(Migrations.bundled()).isNotEmpty().isEqualTo(recorded);
      assertThat(Migrations.current(connection)).isTrue();
    }
  }

  @Test
  void pendingMigrationsGoToFlywayAndAllOfThemApply() throws Exception {
    String name = database("pending");
    flyway(name).target("4").load().migrate();
    try (Connection connection = connect(name)) {
      assertThat(Migrations.current(connection)).as("four of the migrations applied").isFalse();
    }
    Database migrated = RunningApp.await(Database.start(DB.vertx(), url(name), null, 2));
    RunningApp.await(migrated.close());
    try (Connection connection = connect(name)) {
      assertThat(Migrations.current(connection)).isTrue();
    }
  }

  @Test
  void aNewDatabaseIsNotCurrent() throws Exception {
    try (Connection connection = connect(database("fresh"))) {
      assertThat(Migrations.current(connection)).isFalse();
    }
  }

  @Test
  void aFailedMigrationIsLeftToFlywayWhichRefusesToStart() throws Exception {
    String name = database("failed");
    flyway(name).load().migrate();
    try (Connection connection = connect(name); Statement statement = connection.createStatement()) {
      statement.execute("UPDATE flyway_schema_history SET success = false WHERE installed_rank = "
          + "(SELECT max(installed_rank) FROM flyway_schema_history)");
      assertThat(Migrations.current(connection)).isFalse();
    }
    Throwable refused = RunningApp.failure(Database.start(DB.vertx(), url(name), null, 2));
    assertThat(refused).as("a start on a failed migration").isNotNull();
    assertThat(refused.getMessage()).containsIgnoringCase("failed");
  }

  @Test
  void aDatabaseFromANewerFanoutIsLeftToFlyway() throws Exception {
    String name = database("newer");
    flyway(name).load().migrate();
    try (Connection connection = connect(name); Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
          + "checksum, installed_by, execution_time, success) VALUES ((SELECT max(installed_rank) + 1 FROM "
          + "flyway_schema_history), '999', 'from a newer fanout', 'SQL', 'V999__from_a_newer_fanout.sql', 1, "
          + "'postgres', 1, true)");
      assertThat(Migrations.current(connection)).isFalse();
    }
    // Flyway's own rule for a newer schema (future migrations are ignored) holds as before
    Database started = RunningApp.await(Database.start(DB.vertx(), url(name), null, 2));
    RunningApp.await(started.close());
  }

  @Test
  void aChangedScriptIsLeftToFlyway() throws Exception {
    String name = database("changed");
    flyway(name).load().migrate();
    try (Connection connection = connect(name); Statement statement = connection.createStatement()) {
      statement.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
      assertThat(Migrations.current(connection)).isFalse();
    }
    Throwable refused = RunningApp.failure(Database.start(DB.vertx(), url(name), null, 2));
    assertThat(refused).as("Flyway's validation of a changed script").isNotNull();
    assertThat(refused.getMessage()).containsIgnoringCase("checksum");
  }

  private static String database(String name) throws Exception {
    RunningApp.await(DB.database().pool().query("CREATE DATABASE " + name).execute());
    return name;
  }

  private static FluentConfiguration flyway(String name) {
    PgConnectOptions server = DB.database().connectOptions();
    return Flyway.configure().dataSource(jdbc(name), server.getUser(), server.getPassword())
        .locations("classpath:" + Migrations.LOCATION);
  }

  private static String jdbc(String name) {
    PgConnectOptions server = DB.database().connectOptions();
    return "jdbc:postgresql://" + server.getHost() + ":" + server.getPort() + "/" + name;
  }

  private static String url(String name) {
    PgConnectOptions server = DB.database().connectOptions();
    return "postgresql://" + server.getUser() + ":" + server.getPassword() + "@" + server.getHost() + ":"
        + server.getPort() + "/" + name;
  }

  private static Connection connect(String name) throws Exception {
    PgConnectOptions server = DB.database().connectOptions();
    return DriverManager.getConnection(jdbc(name), server.getUser(), server.getPassword());
  }
}
