package dev.fanout.stream.memory;

import dev.fanout.stream.tck.PipelinedBatchesTestBase;

/** The contract of several batches of a partition in flight, against the in-memory backend, default settings. */
class MemoryPipelinedBatchesTest extends PipelinedBatchesTestBase {

  MemoryPipelinedBatchesTest() {
    super(MemoryBackend.DEFAULT);
  }
}
