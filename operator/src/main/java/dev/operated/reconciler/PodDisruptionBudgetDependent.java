package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.DesiredPodDisruptionBudget;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

@KubernetesDependent(informer = @Informer(labelSelector = ObservedCluster.MANAGED_SELECTOR,
    onUpdateFilter = PodDisruptionBudgetDependent.NotStatusOnly.class))
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

  /**
   * A budget's status is the disruption controller's count of healthy pods, rewritten as each pod
   * starts, becomes ready or goes: nothing here reads it, so an update that changes only the
   * status starts no reconcile. At N = 1,000 those updates were four reconciles a service
   * (docs/benchmarks.md, "the embedded server's controllers"). A change to the spec (its
   * generation), the labels, annotations or owners, or a deletion still does, so drift is put
   * back.
   */
  public static class NotStatusOnly implements OnUpdateFilter<PodDisruptionBudget> {
    @Override
    public boolean accept(PodDisruptionBudget updated, PodDisruptionBudget old) {
      ObjectMeta now = updated.getMetadata();
      ObjectMeta before = old.getMetadata();
      return !Objects.equals(now.getGeneration(), before.getGeneration())
          || !Objects.equals(now.getLabels(), before.getLabels())
          || !Objects.equals(now.getAnnotations(), before.getAnnotations())
          || !Objects.equals(now.getOwnerReferences(), before.getOwnerReferences())
          || !Objects.equals(now.getDeletionTimestamp(), before.getDeletionTimestamp());
    }
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
