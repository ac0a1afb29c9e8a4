package dev.operated.desired;

import dev.operated.api.OperatedService;
import dev.operated.api.TelemetryMode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/** Everything the operator applies for one OperatedService, in apply order, as it applies it. */
public final class DesiredState {

  private DesiredState() {
  }

  public static TerminationBudget budget(OperatedService resource, ClusterFacts facts) {
    return TerminationBudget.of(resource.getSpec(), facts);
  }

  public static List<HasMetadata> of(OperatedService resource, ClusterFacts facts) {
    List<HasMetadata> resources = new ArrayList<>();
    resources.add(DesiredDeployment.build(resource, facts));
    resources.add(DesiredService.build(resource));
    if (DesiredPodDisruptionBudget.wanted(resource)) {
      resources.add(DesiredPodDisruptionBudget.build(resource));
    }
    if (resource.getSpec().telemetry().mode() == TelemetryMode.SIDECAR) {
      resources.add(CollectorSidecar.config(resource, facts));
    }
    if (ScrapePlan.of(resource.getSpec(), facts) == ScrapePlan.SERVICE_MONITOR) {
      resources.add(DesiredServiceMonitor.build(resource));
    }
    return resources.stream().map(DesiredDigest::stamped).toList();
  }
}
