package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Deployment the operator applies for a service, the one of the service's name, and its
 * pods. JOSDK finds secondaries by owner, and a copy made with {@code kubectl get -o yaml} keeps
 * the owner reference, so "the" owned Deployment is not always one; JOSDK's singular
 * {@code getSecondaryResource} then throws, which stopped every later reconcile of the service.
 * The copy's pods carry the service's labels too, and are not the service's. Read once per
 * reconcile, after the workflow, and handed to the status and the metrics.
 */
record ServiceDeployment(Optional<Deployment> deployment, List<Pod> pods,
    List<String> autoscalers) {

  /** The label the Deployment controller puts on a ReplicaSet's pods. */
  private static final String TEMPLATE_HASH = "pod-template-hash";

  /**
   * The service's Deployment, its pods and the HPAs that scale it ({@link ServiceAutoscalers}),
   * as the caches hold them now.
   */
  static ServiceDeployment read(OperatedService service, Context<OperatedService> context) {
    return new ServiceDeployment(of(service, context), pods(service, context),
        ServiceAutoscalers.scaling(service, context));
  }

  static Optional<Deployment> of(OperatedService service, Context<OperatedService> context) {
    String name = service.getMetadata().getName();
    return context.getSecondaryResources(Deployment.class).stream()
        .filter(deployment -> name.equals(deployment.getMetadata().getName()))
        .findFirst();
  }

  /**
   * The pods with the service's labels but those of another Deployment's ReplicaSet: the
   * Deployment controller names a ReplicaSet {@code <deployment>-<pod-template-hash>}
   * (deployment/sync.go, getNewReplicaSet). A pod it cannot place (no controller, no hash) is
   * kept.
   */
  private static List<Pod> pods(OperatedService service, Context<OperatedService> context) {
    String name = service.getMetadata().getName();
    return context.getSecondaryResources(Pod.class).stream()
        .filter(pod -> ofDeployment(pod, name))
        .toList();
  }

  private static boolean ofDeployment(Pod pod, String deployment) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String hash = labels == null ? null : labels.get(TEMPLATE_HASH);
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences() == null ? List.of()
        : pod.getMetadata().getOwnerReferences();
    Optional<OwnerReference> replicaSet = owners.stream()
        .filter(owner -> Boolean.TRUE.equals(owner.getController())
            && "ReplicaSet".equals(owner.getKind()))
        .findFirst();
    return hash == null || replicaSet.isEmpty()
        || replicaSet.get().getName().equals(deployment + "-" + hash);
  }
}
