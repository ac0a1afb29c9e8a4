package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.TelemetryMode;
import dev.operated.desired.CollectorSidecar;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.util.Objects;

/**
 * The collector sidecar's configuration. When the service leaves sidecar mode it is kept, as it
 * is, until no pod of the service's Deployment can mount it any more: until the Deployment's
 * template no longer names it and its rollout is complete. Removed at once, a pod the old
 * ReplicaSet recreates in the meantime (a node drained, an eviction, or a Deployment update the
 * API server refused) waits in ContainerCreating for a ConfigMap that is gone, and its collector
 * is an init container, so the whole pod never starts.
 */
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

  /** Outside sidecar mode a kept ConfigMap is left exactly as it is: there is nothing to build. */
  @Override
  public ReconcileResult<ConfigMap> reconcile(OperatedService primary,
      Context<OperatedService> context) {
    return sidecar(primary) ? super.reconcile(primary, context)
        : ReconcileResult.noOperation(getSecondaryResource(primary, context).orElse(null));
  }

  /**
   * Named without building the desired ConfigMap: when the service leaves sidecar mode JOSDK
   * looks the ConfigMap up to keep or delete it, and there is no collector configuration to
   * build then.
   */
  @Override
  protected ResourceID targetSecondaryResourceID(OperatedService primary,
      Context<OperatedService> context) {
    return new ResourceID(CollectorSidecar.configMapName(primary),
        primary.getMetadata().getNamespace());
  }

  private static boolean sidecar(OperatedService primary) {
    return primary.getSpec().telemetry().mode() == TelemetryMode.SIDECAR;
  }

  /**
   * A pod of the Deployment may still mount the ConfigMap: the template names it, or a rollout
   * (which replaces the pods of an older template) has not been observed or has not finished.
   */
  private static boolean mayStillBeMounted(OperatedService primary, Context<OperatedService> context) {
    String name = CollectorSidecar.configMapName(primary);
    return ServiceDeployment.of(primary, context).map(deployment ->
        mounts(deployment.getSpec().getTemplate().getSpec(), name) || !rolledOut(deployment))
        .orElse(false);
  }

  private static boolean mounts(PodSpec pod, String configMap) {
    return pod != null && pod.getVolumes() != null && pod.getVolumes().stream()
        .anyMatch(volume -> volume.getConfigMap() != null
            && configMap.equals(volume.getConfigMap().getName()));
  }

  /**
   * The rollout is complete as {@code kubectl rollout status} reads it (deployment_status.go):
   * the controller observed this generation and every pod it runs is of the current template.
   */
  private static boolean rolledOut(Deployment deployment) {
    DeploymentStatus status = deployment.getStatus();
    Long generation = deployment.getMetadata().getGeneration();
    return status != null && status.getObservedGeneration() != null
        && (generation == null || status.getObservedGeneration() >= generation)
        && Objects.equals(orZero(status.getReplicas()), orZero(status.getUpdatedReplicas()));
  }

  private static int orZero(Integer count) {
    return count == null ? 0 : count;
  }

  /** In sidecar mode; after it, while a pod may still mount it. */
  public static class Wanted implements Condition<ConfigMap, OperatedService> {
    @Override
    public boolean isMet(DependentResource<ConfigMap, OperatedService> dependent,
        OperatedService primary, Context<OperatedService> context) {
      // only a ConfigMap that is there is kept: a service that never had the sidecar has none,
      // and its workflow must not stay undone through every rollout
      return sidecar(primary) || dependent.getSecondaryResource(primary, context).isPresent()
          && mayStillBeMounted(primary, context);
    }
  }

  /**
   * Ready once it is what the spec asks for. Kept for the pods of an older template is not
   * ready, so the workflow is not remembered as done ({@link AppliedInputs}) and runs again as
   * the rollout goes on, until the ConfigMap can go.
   */
  public static class Settled implements Condition<ConfigMap, OperatedService> {
    @Override
    public boolean isMet(DependentResource<ConfigMap, OperatedService> dependent,
        OperatedService primary, Context<OperatedService> context) {
      return sidecar(primary);
    }
  }
}
