package dev.fanout.consumer;

/**
 * What this process knows of one group beyond the stream's view: its figures since start and the state of
 * its members here.
 *
 * @param processed        events handled
 * @param retries          retries of sink calls
 * @param deadLetters      records sent to the dead-letter topic
 * @param replayed         dead letters replayed
 * @param latencyP99Millis 99th percentile of event time to handled
 * @param circuit          the sink's circuit: CLOSED, OPEN or HALF_OPEN
 * @param paused           paused by an operator
 * @param waitingOnCircuit paused until the open circuit's wait is over
 * @param localMembers     members in the group from this process
 * @param batchesInFlight  batches those members are handling now
 */
public record GroupStatus(long processed, long retries, long deadLetters, long replayed, long latencyP99Millis,
                          String circuit, boolean paused, boolean waitingOnCircuit, int localMembers,
                          int batchesInFlight) {
}
