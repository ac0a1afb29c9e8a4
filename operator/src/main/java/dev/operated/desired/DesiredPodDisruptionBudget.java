package dev.operated.desired;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/** Keeps voluntary disruptions (node drains) to one pod at a time. */
public final class DesiredPodDisruptionBudget {

  private DesiredPodDisruptionBudget() {
  }

  /**
   * Not for one replica: with {@code maxUnavailable: 1} its only pod may still be evicted, so
   * the budget would protect nothing. Kept while an HPA scales (replicas unset): it runs the
   * service on several pods, and drains should take them one at a time.
   */
  public static boolean wanted(OperatedService resource) {
    Integer replicas = resource.getSpec().replicas();
    return replicas == null || replicas >= 2;
  }

  public static PodDisruptionBudget build(OperatedService resource) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
          .withName(resource.getMetadata().getName())
          .withNamespace(resource.getMetadata().getNamespace())
          .withLabels(StandardLabels.of(resource))
        .endMetadata()
        .withNewSpec()
          .withMaxUnavailable(new IntOrString(1))
          .withNewSelector().withMatchLabels(StandardLabels.selector(resource)).endSelector()
          // A crash-looping pod must not block a node drain.
          .withUnhealthyPodEvictionPolicy("AlwaysAllow")
        .endSpec()
        .build();
  }
}
