package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class StartupWarmupTest {

  @Test
  void theWarmupServiceGoesThroughEveryStepOfAReconcileWithoutTheApiServer() {
    // throws if the service it warms up with stopped being valid, or a step failed on it
    int rounds = StartupWarmup.run(new KubernetesSerialization());

    assertThat(rounds).isPositive();
  }
}
