package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The two reasons a group's members pause, kept apart. */
class PauseStateTest {

  private final PauseState state = new PauseState();

  @Test
  void runsUntilSomeonePauses() {
    assertThat(state.paused()).isFalse();
    state.operatorPause();
    assertThat(state.paused()).isTrue();
    assertThat(state.operatorResume()).as("nothing else holds the members").isTrue();
    assertThat(state.paused()).isFalse();
  }

  @Test
  void anOpenCircuitStartsOneWaitAtATime() {
    assertThat(state.circuitOpened()).as("the first opening starts a wait").isTrue();
    assertThat(state.circuitOpened()).as("a second opening during the wait starts none").isFalse();
    assertThat(state.waitingOnCircuit()).isTrue();
    assertThat(state.circuitWaitOver()).as("members run again after the wait").isTrue();
    assertThat(state.circuitOpened()).as("a later opening starts a new wait").isTrue();
  }

  @Test
  void theOperatorsPauseOutlastsTheCircuitsWait() {
    state.operatorPause();
    state.circuitOpened();
    assertThat(state.circuitWaitOver()).as("still paused by the operator").isFalse();
    assertThat(state.paused()).isTrue();
    assertThat(state.operatorResume()).isTrue();
  }

  @Test
  void theOperatorsResumeDoesNotCutTheCircuitsWaitShort() {
    state.operatorPause();
    state.circuitOpened();
    assertThat(state.operatorResume()).as("the circuit still holds the members").isFalse();
    assertThat(state.paused()).isTrue();
    assertThat(state.pausedByOperator()).isFalse();
    assertThat(state.circuitWaitOver()).isTrue();
    assertThat(state.paused()).isFalse();
  }
}
