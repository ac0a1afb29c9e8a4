package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.TelemetryMode;
import dev.operated.desired.CollectorSidecar;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The collector sidecar's configuration; removed when the service leaves sidecar mode. */
@KubernetesDependent(informer = @Informer(labelSelector = ObservedCluster.MANAGED_SELECTOR))
public class CollectorConfigDependent
    extends OwnedDependent<ConfigMap> {

  public CollectorConfigDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap build(OperatedService primary, Context<OperatedService> context) {
    return CollectorSidecar.config(primary, ObservedCluster.facts(context));
  }

  /**
   * Named without building the desired ConfigMap: when the service leaves sidecar mode JOSDK
   * looks the ConfigMap up to delete it, and there is no collector configuration to build then.
   */
  @Override
  protected ResourceID targetSecondaryResourceID(OperatedService primary,
      Context<OperatedService> context) {
    return new ResourceID(CollectorSidecar.configMapName(primary),
        primary.getMetadata().getNamespace());
  }

  public static class Wanted implements Condition<ConfigMap, OperatedService> {
    @Override
    public boolean isMet(DependentResource<ConfigMap, OperatedService> dependent,
        OperatedService primary, Context<OperatedService> context) {
      return primary.getSpec().telemetry().mode() == TelemetryMode.SIDECAR;
    }
  }
}
