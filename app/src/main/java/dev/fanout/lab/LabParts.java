package dev.fanout.lab;

import dev.fanout.compose.PartsFactory;
import dev.fanout.search.SearchEngine;
import dev.fanout.stream.EventStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;

/**
 * The real parts a lab runs on, given by the composition root: a stream per lab (its topics and groups get names
 * of their own per run, deleted after the run; the stream is closed after the lab), a PostgreSQL database (each run migrates a schema of its own in it and drops it
 * after), fresh search indexes, and the settings the app itself is built with.
 *
 * @param database a database the lab may create and drop schemas in; best not the app's own (its NOTIFY channel
 *                 wakes every relay of the database); each run's relay leads under a lock of its own there
 * @param app      the settings the app's {@link PartsFactory} was made with: every design builds its parts
 *                 with them, design 3 with the few differences {@link Design3} lists
 */
public record LabParts(Vertx vertx, Streams streams, PgConnectOptions database, SearchIndexes search,
                       PartsFactory.Settings app) {

  /** Opens a new client of the backend the app runs on, for one lab. */
  public interface Streams {

    /** A stream of its own: the lab closes it when it ends, and nothing of the lab outlives it. */
    Future<EventStream> open();
  }

  /** Makes an empty search index per run, and forgets it after. */
  public interface SearchIndexes {

    /** A new, empty engine (not started) whose index is named after {@code run}. */
    SearchEngine open(String run);

    /** Removes what {@link #open} made for {@code run}; called after the engine is closed. */
    Future<Void> discard(String run);

    /**
     * The runs whose indexes live outside the lab's scratch directory (on an OpenSearch server), as
     * {@link #open} named them, whichever lab made them: for removing what a killed lab left. None for an index
     * in the scratch directory, which goes with it.
     */
    Future<java.util.List<String>> runs();
  }
}
