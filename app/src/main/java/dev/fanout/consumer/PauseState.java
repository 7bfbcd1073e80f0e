package dev.fanout.consumer;

/**
 * Whether a group's members in this process should be paused, and by whom: an operator, or the sink's
 * open circuit (members wait out the breaker's wait instead of hammering a sink that is down). The two
 * are kept apart: an operator's pause outlasts the circuit's, and a resume by the operator does not cut
 * the circuit's wait short. Plain state, no I/O; the caller pauses and resumes members as told.
 * Thread-safe.
 */
final class PauseState {

  // guarded by this
  private boolean byOperator;
  private boolean byCircuit;

  synchronized boolean paused() {
    return byOperator || byCircuit;
  }

  synchronized boolean pausedByOperator() {
    return byOperator;
  }

  synchronized boolean waitingOnCircuit() {
    return byCircuit;
  }

  /** The operator pauses the group: pause every member. */
  synchronized void operatorPause() {
    byOperator = true;
  }

  /** The operator resumes the group; true when the members should run again now. */
  synchronized boolean operatorResume() {
    byOperator = false;
    return !byCircuit;
  }

  /**
   * The sink's circuit opened; true when this starts a wait (pause the members and schedule
   * {@link #circuitWaitOver}), false when a wait is already running.
   */
  synchronized boolean circuitOpened() {
    if (byCircuit) {
      return false;
    }
    byCircuit = true;
    return true;
  }

  /** The breaker's wait is over; true when the members should run again now. */
  synchronized boolean circuitWaitOver() {
    byCircuit = false;
    return !byOperator;
  }
}
