package dev.fanout.lab;

import dev.fanout.db.SessionLock;
import dev.fanout.stream.EventStream;
import dev.fanout.stream.TopicDescription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a lab that never ended (its process was killed mid-lab) left on the parts that outlive it: its runs'
 * schemas in the lab database, its topics and groups on a stream that keeps them (Kafka), its search indexes
 * on a server (OpenSearch). A stopped lab removes its own; only a kill leaves these.
 *
 * <p>A lab holds a session advisory lock named after its id for as long as it runs ({@link #hold}). When the
 * next lab starts, on any instance, each lab id that a leftover names and whose lock it can take belongs to a
 * lab that is gone: what it left is removed ({@link #sweep}). A lab still running on another instance keeps its
 * lock, so nothing of it is touched.
 */
final class Leftovers {

  private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);
  /** A run's schema: {@code lab_<lab id>_<run>}. */
  private static final Pattern SCHEMA = Pattern.compile("lab_([a-z0-9]+)_[0-9]+");
  /** A run's topics, groups and search index: {@code lab-<lab id>-<run>-d<design>...}. */
  private static final Pattern RUN_NAME = Pattern.compile("lab-([a-z0-9]+)-[0-9]+-d.*");

  private Leftovers() {
  }

  /** The advisory lock key of lab {@code id}. */
  static long lockKey(String id) {
    return UUID.nameUUIDFromBytes(("fanout-lab:" + id).getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
  }

  /** The lab id a schema, topic, group or index name belongs to, or null when it is no lab's. */
  static String labOf(String name) {
    Matcher schema = SCHEMA.matcher(name);
    if (schema.matches()) {
      return schema.group(1);
    }
    Matcher run = RUN_NAME.matcher(name);
    return run.matches() ? run.group(1) : null;
  }

  /**
   * Takes lab {@code id}'s lock on a connection of its own to the lab database; closing the connection lets it
   * go (so does the end of the process).
   */
  static Future<SessionLock> hold(Vertx vertx, PgConnectOptions database, String id) {
    return SessionLock.hold(vertx, database, lockKey(id));
  }

  /**
   * Removes what labs other than {@code own} left, for each whose lock is free; on {@code held}, the
   * connection that holds {@code own}'s lock. A name that cannot be removed is logged and the rest still go.
   */
  static Future<Void> sweep(Vertx vertx, LabParts parts, EventStream stream, SessionLock held, String own) {
    Future<List<String>> schemas = held.schemasStartingWith("lab_");
    Future<List<String>> topics = stream.admin().listTopics()
        .map(list -> list.stream().map(TopicDescription::name).toList());
    Future<List<String>> groups = stream.admin().listGroups();
    Future<List<String>> indexes = parts.search().runs();
    return Future.all(schemas, topics, groups, indexes).compose(all -> {
      Set<String> labs = new TreeSet<>();
      for (int i = 0; i < 4; i++) {
        for (String name : all.<List<String>>resultAt(i)) {
          String lab = labOf(name);
          if (lab != null && !lab.equals(own)) {
            labs.add(lab);
          }
        }
      }
      Future<Void> chain = Future.succeededFuture();
      for (String lab : labs) {
        chain = chain.compose(v -> held.tryAlso(lockKey(lab))
            .compose(free -> !free ? Future.<Void>succeededFuture()
                : remove(vertx, parts, stream, held, lab, schemas.result(), indexes.result())
                    .eventually(() -> held.release(lockKey(lab)))));
      }
      return chain;
    });
  }

  private static Future<Void> remove(Vertx vertx, LabParts parts, EventStream stream, SessionLock held, String lab,
                                     List<String> schemas, List<String> indexes) {
    LOG.info("lab: removing what lab {} left (it ended without cleaning up: a killed process)", lab);
    Future<Void> chain = RunCleanup.deleteFrom(vertx, stream, "lab-" + lab);
    for (String schema : schemas) {
      if (lab.equals(labOf(schema))) {
        chain = chain.compose(v -> held.dropSchema(schema)
            .recover(e -> {
              LOG.warn("lab: could not drop schema {}: {}", schema, e.toString());
              return Future.succeededFuture();
            }));
      }
    }
    for (String run : indexes) {
      if (lab.equals(labOf(run))) {
        chain = chain.compose(v -> parts.search().discard(run).recover(e -> {
          LOG.warn("lab: could not remove the search index of {}: {}", run, e.toString());
          return Future.succeededFuture();
        }));
      }
    }
    return chain;
  }
}
