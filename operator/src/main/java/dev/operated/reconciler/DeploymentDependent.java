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

  public DeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment build(OperatedService primary, Context<OperatedService> context) {
    return DesiredDeployment.build(primary, ObservedCluster.facts(context));
  }
}
