package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which updates of a budget start a reconcile: not the disruption controller's counts. */
class PodDisruptionBudgetDependentTest {

  private final PodDisruptionBudgetDependent.NotStatusOnly filter =
      new PodDisruptionBudgetDependent.NotStatusOnly();

  private static PodDisruptionBudget budget() {
    return new PodDisruptionBudgetBuilder().withNewMetadata().withName("web").withGeneration(1L)
        .withResourceVersion("10").addToLabels("app.kubernetes.io/managed-by", "operated")
        .endMetadata().withNewSpec().withMaxUnavailable(new IntOrString(1)).endSpec()
        .withNewStatus().withCurrentHealthy(1).withDisruptionsAllowed(0).endStatus().build();
  }

  @Test
  void theDisruptionControllersCountsStartNoReconcile() {
    PodDisruptionBudget counted = new PodDisruptionBudgetBuilder(budget()).editMetadata()
        .withResourceVersion("11").endMetadata().editStatus().withCurrentHealthy(2)
        .withDisruptionsAllowed(1).endStatus().build();

    assertThat(filter.accept(counted, budget())).isFalse();
  }

  @Test
  void aChangedSpecLabelsAnnotationsOrDeletionStillDo() {
    assertThat(filter.accept(new PodDisruptionBudgetBuilder(budget()).editMetadata()
        .withGeneration(2L).endMetadata().editSpec().withMaxUnavailable(new IntOrString(2))
        .endSpec().build(), budget())).as("spec edited").isTrue();
    assertThat(filter.accept(new PodDisruptionBudgetBuilder(budget()).editMetadata()
        .withLabels(Map.of()).endMetadata().build(), budget())).as("labels").isTrue();
    assertThat(filter.accept(new PodDisruptionBudgetBuilder(budget()).editMetadata()
        .addToAnnotations("operated.dev/desired-digest", "x").endMetadata().build(), budget()))
        .as("annotations").isTrue();
    assertThat(filter.accept(new PodDisruptionBudgetBuilder(budget()).editMetadata()
        .withDeletionTimestamp("2026-12-03T00:00:00Z").endMetadata().build(), budget()))
        .as("deleted").isTrue();
  }

  @Test
  void theDependentsInformerUsesTheFilter() {
    assertThat(PodDisruptionBudgetDependent.class.getAnnotation(KubernetesDependent.class)
        .informer().onUpdateFilter()).isEqualTo(PodDisruptionBudgetDependent.NotStatusOnly.class);
  }
}
