package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.StandardLabels;
import dev.operated.status.ServiceSignals;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
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

  static InformerEventSource<Pod, OperatedService> eventSource(
      EventSourceContext<OperatedService> context) {
    ServiceSignals.PodTransitions transitions = ServiceSignals.podTransitions(context);
    var configuration = InformerEventSourceConfiguration.from(Pod.class, OperatedService.class)
        .withName(EVENT_SOURCE)
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
