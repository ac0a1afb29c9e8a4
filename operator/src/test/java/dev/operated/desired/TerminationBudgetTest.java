package dev.operated.desired;

import static dev.operated.desired.Specs.K8S_1_28;
import static dev.operated.desired.Specs.K8S_1_33;
import static dev.operated.desired.Specs.service;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminationBudgetTest {

  private static TerminationBudget budget(String spec, ClusterFacts facts) {
    return DesiredState.budget(service(spec), facts);
  }

  @Test
  void theDefaultGracePeriodIsDrainPlusShutdownPlusMargin() {
    TerminationBudget budget = budget("image: a:1", K8S_1_33);
    // 5 s drain + 10 s app shutdown + 0 s sidecar flush (no sidecars) + 2 s margin
    assertThat(budget.requiredSeconds()).isEqualTo(15);
    assertThat(budget.gracePeriodSeconds()).isEqualTo(17);
  }

  @Test
  void theKubeletSleepsOnClustersThatCanSoTheAppDoesNotDrainTwice() {
    TerminationBudget budget = budget("image: a:1", K8S_1_33);
    assertThat(budget.drainMethod()).isEqualTo(DrainMethod.KUBELET_SLEEP);
    assertThat(budget.appDrainSeconds()).isZero();
  }

  @Test
  void theAppDrainsItselfBefore130WhenTheImageHasNoShell() {
    TerminationBudget budget = budget("image: a:1", K8S_1_28);
    assertThat(budget.drainMethod()).isEqualTo(DrainMethod.APP);
    assertThat(budget.appDrainSeconds()).isEqualTo(5);
  }

  @Test
  void anExecSleepOnlyWhenTheSpecSaysTheImageHasAShell() {
    TerminationBudget budget = budget("{image: a:1, shutdown: {imageHasShell: true}}", K8S_1_28);
    assertThat(budget.drainMethod()).isEqualTo(DrainMethod.EXEC_SLEEP);
    assertThat(budget.appDrainSeconds()).isZero();
    assertThat(budget("{image: a:1, shutdown: {imageHasShell: true}}", K8S_1_33).drainMethod())
        .as("1.30+ prefers the kubelet's sleep even with a shell")
        .isEqualTo(DrainMethod.KUBELET_SLEEP);
  }

  @Test
  void aZeroDrainHasNoDrainAtAll() {
    TerminationBudget budget = budget("{image: a:1, shutdown: {drainSeconds: 0}}", K8S_1_28);
    assertThat(budget.drainMethod()).isEqualTo(DrainMethod.NONE);
    assertThat(budget.appDrainSeconds()).isZero();
    assertThat(budget.gracePeriodSeconds()).isEqualTo(12);
  }

  @Test
  void anExplicitGracePeriodIsKeptWhenItCovers() {
    TerminationBudget budget = budget(
        "{image: a:1, shutdown: {terminationGracePeriodSeconds: 15}}", K8S_1_33);
    assertThat(budget.gracePeriodSeconds()).isEqualTo(15);
    assertThat(budget.shortfall()).isEmpty();
  }

  @Test
  void aShortExplicitGracePeriodIsRefusedWithTheArithmetic() {
    TerminationBudget budget = budget("{image: a:1, shutdown: {drainSeconds: 10, "
        + "timeoutSeconds: 20, terminationGracePeriodSeconds: 25}}", K8S_1_33);
    assertThat(budget.shortfall()).hasValue("25s does not cover drain 10s + app shutdown 20s "
        + "= 30s: raise spec.shutdown.terminationGracePeriodSeconds or remove "
        + "it and let the operator compute 32s");
  }
}
