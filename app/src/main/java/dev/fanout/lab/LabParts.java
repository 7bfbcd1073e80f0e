package dev.fanout.lab;

import dev.fanout.consumer.ResiliencePolicy;
import dev.fanout.search.SearchEngine;
import dev.fanout.stream.EventStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;

/**
 * The real parts a lab runs on, given by the composition root: the stream (its topics and groups get names
 * of their own per run), a PostgreSQL database (each run migrates a schema of its own in it and drops it
 * after), fresh search indexes, and the groups' resilience settings.
 *
 * @param database          a database the lab may create and drop schemas in; best not the app's own, whose
 *                          outbox relay holds the database-wide advisory lock the lab's relay needs
 * @param partitions        partitions of each run's event topics
 * @param replicationFactor copies of each topic the stream keeps
 * @param consumersPerGroup members each group gets
 */
public record LabParts(Vertx vertx, EventStream stream, PgConnectOptions database, SearchIndexes search,
                       ResiliencePolicy resilience, int partitions, int replicationFactor, int consumersPerGroup) {

  /** Makes an empty search index per run, and forgets it after. */
  public interface SearchIndexes {

    /** A new, empty engine (not started) whose index is named after {@code run}. */
    SearchEngine open(String run);

    /** Removes what {@link #open} made for {@code run}; called after the engine is closed. */
    Future<Void> discard(String run);
  }
}
