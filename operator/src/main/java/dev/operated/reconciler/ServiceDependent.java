package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.DesiredService;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(informer = @Informer(labelSelector = ObservedCluster.MANAGED_SELECTOR))
public class ServiceDependent extends OwnedDependent<Service> {

  public ServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service build(OperatedService primary, Context<OperatedService> context) {
    return DesiredService.build(primary);
  }
}
