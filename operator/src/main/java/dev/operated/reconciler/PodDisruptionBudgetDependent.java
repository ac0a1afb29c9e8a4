package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.DesiredPodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

@KubernetesDependent(informer = @Informer(labelSelector = ObservedCluster.MANAGED_SELECTOR))
public class PodDisruptionBudgetDependent
    extends OwnedDependent<PodDisruptionBudget> {

  public PodDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget build(OperatedService primary,
      Context<OperatedService> context) {
    return DesiredPodDisruptionBudget.build(primary);
  }

  /** When false the workflow deletes the budget: scaling to one replica removes it. */
  public static class Wanted implements Condition<PodDisruptionBudget, OperatedService> {
    @Override
    public boolean isMet(DependentResource<PodDisruptionBudget, OperatedService> dependent,
        OperatedService primary, Context<OperatedService> context) {
      return DesiredPodDisruptionBudget.wanted(primary);
    }
  }
}
