package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.DesiredServiceMonitor;
import dev.operated.desired.ScrapePlan;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Only active while the Prometheus Operator's CRD exists: JOSDK registers its informer when the
 * CRD appears, so a cluster without it never fails a reconcile and installing it later is seen.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ObservedCluster.MANAGED_SELECTOR))
public class ServiceMonitorDependent
    extends OwnedDependent<ServiceMonitor> {

  public ServiceMonitorDependent() {
    super(ServiceMonitor.class);
  }

  @Override
  protected ServiceMonitor build(OperatedService primary, Context<OperatedService> context) {
    return DesiredServiceMonitor.build(primary);
  }

  public static class CrdInstalled implements Condition<ServiceMonitor, OperatedService> {
    @Override
    public boolean isMet(DependentResource<ServiceMonitor, OperatedService> dependent,
        OperatedService primary, Context<OperatedService> context) {
      return ObservedCluster.facts(context).prometheusOperatorInstalled();
    }
  }

  public static class Wanted implements Condition<ServiceMonitor, OperatedService> {
    @Override
    public boolean isMet(DependentResource<ServiceMonitor, OperatedService> dependent,
        OperatedService primary, Context<OperatedService> context) {
      return ScrapePlan.of(primary.getSpec(), ObservedCluster.facts(context))
          == ScrapePlan.SERVICE_MONITOR;
    }
  }
}
