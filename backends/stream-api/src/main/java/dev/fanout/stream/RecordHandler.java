package dev.fanout.stream;

import io.vertx.core.Future;

/** Handles one record; see {@link BatchHandler} for the delivery contract. */
@FunctionalInterface
public interface RecordHandler {

  Future<Void> handle(StreamRecord record);
}
