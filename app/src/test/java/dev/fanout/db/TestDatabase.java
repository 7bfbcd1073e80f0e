package dev.fanout.db;

import dev.fanout.app.RunningApp;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real embedded PostgreSQL with Fanout's schema, and a Vert.x instance, for tests of one part without
 * the app around it: {@code @RegisterExtension static final TestDatabase db = new TestDatabase();}. Started
 * once before the class's tests, stopped and deleted after them.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {

  // set in beforeAll, before any test reads them
  private Vertx vertx;
  private Database database;
  private Path dir;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("fanout-" + context.getRequiredTestClass().getSimpleName());
    vertx = Vertx.vertx();
    database = RunningApp.await(Database.start(vertx, null, dir.resolve("pg"), 8));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (database != null) {
        RunningApp.await(database.close());
      }
      RunningApp.await(vertx.close());
    } finally {
      RunningApp.deleteRecursively(dir);
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public Database database() {
    return database;
  }
}
