package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The HorizontalPodAutoscalers that scale a service's Deployment, watched so the status can say
 * when one scales a Deployment whose replicas the spec also sets: the HPA's controller sets its
 * count, the operator's next apply sets the spec's back, and pods start and stop on every round
 * until one of the two goes. An HPA is mapped to the service of the Deployment it targets (the
 * Deployment has the service's name); only its target and bounds are cached, so its controller's
 * status writes every 15 s neither fill the cache nor wake a reconcile.
 */
final class ServiceAutoscalers {

  static final String EVENT_SOURCE = "horizontal-pod-autoscalers";

  private ServiceAutoscalers() {
  }

  static InformerEventSource<HorizontalPodAutoscaler, OperatedService> eventSource(
      EventSourceContext<OperatedService> context) {
    var configuration = InformerEventSourceConfiguration
        .from(HorizontalPodAutoscaler.class, OperatedService.class)
        .withName(EVENT_SOURCE)
        .withNamespacesInheritedFromController()
        .withItemStore(CachedObjects.store(CachedObjects::autoscaler))
        .withOnUpdateFilter((updated, old) -> !Objects.equals(deployment(updated),
            deployment(old)))
        .withSecondaryToPrimaryMapper(autoscaler -> {
          String deployment = deployment(autoscaler);
          return deployment == null ? Set.of()
              : Set.of(new ResourceID(deployment, autoscaler.getMetadata().getNamespace()));
        })
        .build();
    return new InformerEventSource<>(configuration, context);
  }

  /** The names of the HPAs in the cache that scale the service's Deployment, sorted. */
  static List<String> scaling(OperatedService service, Context<OperatedService> context) {
    String name = service.getMetadata().getName();
    return context.getSecondaryResources(HorizontalPodAutoscaler.class).stream()
        .filter(autoscaler -> name.equals(deployment(autoscaler)))
        .map(autoscaler -> autoscaler.getMetadata().getName())
        .sorted()
        .toList();
  }

  /** The name of the Deployment ({@code apps}, any version) an HPA scales, or null. */
  static String deployment(HorizontalPodAutoscaler autoscaler) {
    CrossVersionObjectReference target = autoscaler.getSpec() == null ? null
        : autoscaler.getSpec().getScaleTargetRef();
    if (target == null || !"Deployment".equals(target.getKind())
        || target.getApiVersion() == null || !target.getApiVersion().startsWith("apps/")) {
      return null;
    }
    return target.getName();
  }
}
