package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.StandardLabels;
import dev.operated.status.ServiceSignals;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;

/**
 * The pods of every OperatedService, watched so the status can say which container holds a
 * rollout back. Pods are owned by ReplicaSets, not by the OperatedService, so they are mapped
 * back through the instance label the operator put on the pod template.
 */
final class ServicePods {

  static final String EVENT_SOURCE = "pods";

  private ServicePods() {
  }

  /**
   * One informer for all namespaces, or one per watched namespace: each keeps its pods pruned
   * ({@link CachedObjects#pod}) in a store of its own, which informers cannot share.
   */
  static List<InformerEventSource<Pod, OperatedService>> eventSources(
      EventSourceContext<OperatedService> context) {
    Set<String> watched = context.getControllerConfiguration().getEffectiveNamespaces();
    if (watched.isEmpty() || watched.contains(Constants.WATCH_ALL_NAMESPACES)) {
      return List.of(eventSource(context, EVENT_SOURCE, Set.of(Constants.WATCH_ALL_NAMESPACES)));
    }
    return watched.stream().sorted()
        .map(namespace -> eventSource(context, EVENT_SOURCE + "-" + namespace, Set.of(namespace)))
        .toList();
  }

  private static InformerEventSource<Pod, OperatedService> eventSource(
      EventSourceContext<OperatedService> context, String name, Set<String> namespaces) {
    ServiceSignals.PodTransitions transitions = ServiceSignals.podTransitions(context);
    var configuration = InformerEventSourceConfiguration.from(Pod.class, OperatedService.class)
        .withName(name)
        .withNamespaces(namespaces)
        .withItemStore(CachedObjects.store(CachedObjects::pod))
        .withOnUpdateFilter(transitions::updated)
        .withOnDeleteFilter(transitions::deleted)
        .withLabelSelector(ObservedCluster.MANAGED_SELECTOR)
        .withSecondaryToPrimaryMapper(pod -> {
          String instance = pod.getMetadata().getLabels().get(StandardLabels.INSTANCE);
          return instance == null ? Set.of()
              : Set.of(new ResourceID(instance, pod.getMetadata().getNamespace()));
        })
        .build();
    return new InformerEventSource<>(configuration, context);
  }
}
