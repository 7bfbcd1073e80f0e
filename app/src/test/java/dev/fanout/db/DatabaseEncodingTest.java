package dev.fanout.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An external PostgreSQL database whose server encoding is not UTF8 (here SQL_ASCII, on the embedded test
 * server) is refused at start with a message that says why and what to do.
 */
class DatabaseEncodingTest {

  @RegisterExtension
  static final TestDatabase DB = new TestDatabase();

  @Test
  void aDatabaseThatIsNotUtf8IsRefusedAtStart() throws Exception {
    RunningApp.await(DB.database().pool()
        .query("CREATE DATABASE not_utf8 WITH ENCODING 'SQL_ASCII' TEMPLATE template0").execute());
    String url = "postgresql://" + DB.database().connectOptions().getUser() + ":"
        + DB.database().connectOptions().getPassword() + "@" + DB.database().connectOptions().getHost() + ":"
        + DB.database().connectOptions().getPort() + "/not_utf8";

    Throwable refused = RunningApp.failure(Database.start(DB.vertx(), url, null, 2));

    assertThat(refused).as("starting on a SQL_ASCII database").isNotNull();
    assertThat(refused.getMessage()).contains("not_utf8", "SQL_ASCII", "UTF8");
  }
}
