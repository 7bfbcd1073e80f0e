package dev.fanout.lab;

import dev.fanout.compose.PartsFactory;
import dev.fanout.search.SearchEngine;
import dev.fanout.stream.EventStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;

/**
 * The real parts a lab runs on, given by the composition root: the stream (its topics and groups get names
 * of their own per run), a PostgreSQL database (each run migrates a schema of its own in it and drops it
 * after), fresh search indexes, and the settings the app itself is built with.
 *
 * @param database a database the lab may create and drop schemas in; best not the app's own, whose outbox
 *                 relay holds the database-wide advisory lock the lab's relay needs
 * @param app      the settings the app's {@link PartsFactory} was made with: every design builds its parts
 *                 with them, design 3 with the few differences {@link Design3} lists
 */
public record LabParts(Vertx vertx, EventStream stream, PgConnectOptions database, SearchIndexes search,
                       PartsFactory.Settings app) {

  /** Makes an empty search index per run, and forgets it after. */
  public interface SearchIndexes {

    /** A new, empty engine (not started) whose index is named after {@code run}. */
    SearchEngine open(String run);

    /** Removes what {@link #open} made for {@code run}; called after the engine is closed. */
    Future<Void> discard(String run);
  }
}
