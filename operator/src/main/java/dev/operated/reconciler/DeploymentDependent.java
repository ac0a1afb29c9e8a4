package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.DesiredDeployment;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(informer = @Informer(labelSelector = ObservedCluster.MANAGED_SELECTOR))
public class DeploymentDependent
    extends OwnedDependent<Deployment> {

  /** Where this reconcile keeps the Deployment its spec check built. */
  private static final String BUILT_BY_CHECK = "the Deployment built by the spec check";

  public DeploymentDependent() {
    super(Deployment.class);
  }

  /**
   * The Deployment the spec check built in this reconcile, from the same spec and cluster facts,
   * is the one applied: built again, the same Deployment cost as much a second time (a third of
   * the check's samples, JFR at N = 1,000).
   */
  static void use(Context<OperatedService> context, Deployment builtByCheck) {
    context.managedWorkflowAndDependentResourceContext().put(BUILT_BY_CHECK, builtByCheck);
  }

  @Override
  protected Deployment build(OperatedService primary, Context<OperatedService> context) {
    return context.managedWorkflowAndDependentResourceContext()
        .get(BUILT_BY_CHECK, Deployment.class)
        .orElseGet(() -> DesiredDeployment.build(primary, ObservedCluster.facts(context)));
  }
}
