package dev.operated.reconciler;

import dev.operated.status.PodDiagnosis;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpecBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the operator's informers keep of each object: only the fields something reads. An
 * informer holds every object it watches for the life of the process, and a Pod as the API server
 * sends it is mostly what the operator never looks at (the full container specs, volumes,
 * {@code managedFields} written by the kubelet and the controllers), so a thousand services
 * with their pods would cost far more heap than their status needs.
 *
 * <p>Events still carry the object as it arrived (the informer hands the new object to its
 * handlers before it is stored), so filters on events see every field; what a reconcile reads
 * from the cache is the kept part, and tests hold that the status computed from it is the one
 * computed from the whole object.
 *
 * <p>Each store belongs to one informer: an informer removes from its store whatever its list
 * did not return, so two informers (two namespaces) sharing a store would erase each other.
 */
final class CachedObjects {

  private CachedObjects() {
  }

  /** A store for one informer that keeps what {@code keep} returns. */
  static <R extends HasMetadata> ItemStore<R> store(UnaryOperator<R> keep) {
    return new TransformingItemStore<>(keep);
  }

  /**
   * The pod as the status reads it ({@code PodDiagnosis}, {@code GraceDeadlineKills},
   * {@code ServiceSignals}): identity, labels and the default-container annotation, creation and
   * deletion time; per container its name, an init container's restart policy and the readiness
   * probe's period and failure threshold; the phase, start time, conditions and the containers'
   * states. Everything else, including {@code managedFields}, is left out.
   */
  static Pod pod(Pod pod) {
    Pod kept = new Pod();
    kept.setApiVersion(pod.getApiVersion());
    kept.setKind(pod.getKind());
    kept.setMetadata(identity(pod.getMetadata()));
    kept.getMetadata().setLabels(pod.getMetadata().getLabels());
    String defaultContainer = pod.getMetadata().getAnnotations() == null ? null
        : pod.getMetadata().getAnnotations().get(PodDiagnosis.DEFAULT_CONTAINER_ANNOTATION);
    if (defaultContainer != null) {
      kept.getMetadata().setAnnotations(
          Map.of(PodDiagnosis.DEFAULT_CONTAINER_ANNOTATION, defaultContainer));
    }
    if (pod.getSpec() != null) {
      PodSpec spec = new PodSpec();
      spec.setContainers(each(pod.getSpec().getContainers(), CachedObjects::container));
      spec.setInitContainers(each(pod.getSpec().getInitContainers(), CachedObjects::container));
      kept.setSpec(spec);
    }
    if (pod.getStatus() != null) {
      PodStatus status = new PodStatus();
      status.setPhase(pod.getStatus().getPhase());
      status.setStartTime(pod.getStatus().getStartTime());
      status.setConditions(each(pod.getStatus().getConditions(), CachedObjects::condition));
      status.setContainerStatuses(each(pod.getStatus().getContainerStatuses(),
          CachedObjects::containerStatus));
      status.setInitContainerStatuses(each(pod.getStatus().getInitContainerStatuses(),
          CachedObjects::containerStatus));
      kept.setStatus(status);
    }
    return kept;
  }

  /**
   * A namespace as mesh detection reads it, its labels and annotations; its identity keeps the
   * deletion mark, at which a reconcile stops.
   */
  static Namespace namespace(Namespace namespace) {
    Namespace kept = new Namespace();
    kept.setApiVersion(namespace.getApiVersion());
    kept.setKind(namespace.getKind());
    kept.setMetadata(identity(namespace.getMetadata()));
    kept.getMetadata().setLabels(namespace.getMetadata().getLabels());
    kept.getMetadata().setAnnotations(namespace.getMetadata().getAnnotations());
    return kept;
  }

  /**
   * A CRD whose existence is the fact: its name. The Prometheus Operator's ServiceMonitor CRD
   * carries an OpenAPI schema of several hundred kilobytes that nothing here reads.
   */
  static CustomResourceDefinition existence(CustomResourceDefinition crd) {
    CustomResourceDefinition kept = new CustomResourceDefinition();
    kept.setApiVersion(crd.getApiVersion());
    kept.setKind(crd.getKind());
    kept.setMetadata(identity(crd.getMetadata()));
    return kept;
  }

  /**
   * The object without {@code managedFields}: for the OperatedService itself, whose status is
   * patched by server-side apply with no managedFields sent (JOSDK clears them) and whose fields
   * nothing here compares by owner; its spec and status are kept whole. The operator's own client
   * reads none anyway ({@code OperatorClient}); this store keeps a client that does (a test's)
   * from caching them.
   */
  static <R extends HasMetadata> R withoutManagedFields(R object) {
    object.getMetadata().setManagedFields(List.of());
    return object;
  }

  private static <T> List<T> each(List<T> items, UnaryOperator<T> keep) {
    return items == null ? List.of() : items.stream().map(keep).toList();
  }

  /**
   * An HPA as the status reads it ({@code ServiceAutoscalers}): identity and what it scales.
   * Its status, rewritten on every sync of its controller, is left out.
   */
  static HorizontalPodAutoscaler autoscaler(HorizontalPodAutoscaler autoscaler) {
    HorizontalPodAutoscaler kept = new HorizontalPodAutoscaler();
    kept.setApiVersion(autoscaler.getApiVersion());
    kept.setKind(autoscaler.getKind());
    kept.setMetadata(identity(autoscaler.getMetadata()));
    if (autoscaler.getSpec() != null) {
      kept.setSpec(new HorizontalPodAutoscalerSpecBuilder()
          .withScaleTargetRef(autoscaler.getSpec().getScaleTargetRef())
          .withMinReplicas(autoscaler.getSpec().getMinReplicas())
          .withMaxReplicas(autoscaler.getSpec().getMaxReplicas()).build());
    }
    return kept;
  }

  private static ObjectMeta identity(ObjectMeta metadata) {
    ObjectMeta kept = new ObjectMeta();
    kept.setName(metadata.getName());
    kept.setNamespace(metadata.getNamespace());
    kept.setUid(metadata.getUid());
    kept.setResourceVersion(metadata.getResourceVersion());
    kept.setGeneration(metadata.getGeneration());
    kept.setCreationTimestamp(metadata.getCreationTimestamp());
    kept.setDeletionTimestamp(metadata.getDeletionTimestamp());
    kept.setOwnerReferences(metadata.getOwnerReferences());
    return kept;
  }

  private static Container container(Container container) {
    Container kept = new Container();
    kept.setName(container.getName());
    kept.setRestartPolicy(container.getRestartPolicy());
    if (container.getReadinessProbe() != null) {
      Probe probe = new Probe();
      probe.setPeriodSeconds(container.getReadinessProbe().getPeriodSeconds());
      probe.setFailureThreshold(container.getReadinessProbe().getFailureThreshold());
      kept.setReadinessProbe(probe);
    }
    return kept;
  }

  private static PodCondition condition(PodCondition condition) {
    PodCondition kept = new PodCondition();
    kept.setType(condition.getType());
    kept.setStatus(condition.getStatus());
    kept.setReason(condition.getReason());
    kept.setMessage(condition.getMessage());
    kept.setLastTransitionTime(condition.getLastTransitionTime());
    return kept;
  }

  private static ContainerStatus containerStatus(ContainerStatus status) {
    ContainerStatus kept = new ContainerStatus();
    kept.setName(status.getName());
    kept.setReady(status.getReady());
    kept.setStarted(status.getStarted());
    kept.setRestartCount(status.getRestartCount());
    kept.setState(status.getState());
    kept.setLastState(status.getLastState());
    return kept;
  }
}
